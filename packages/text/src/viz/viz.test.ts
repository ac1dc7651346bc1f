import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createRng, type Cell } from '@rxrnn/core';
import { embeddingCell, lstmCell, denseCell, stackCells } from '@rxrnn/cells';
import { expectNoLeaks } from '@rxrnn/testing';
import { CharCodec } from '../char-codec.js';
import { traceActivations, unitSeries, type ActivationTrace, type CharModel } from './activation-trace.js';
import { textFeatures, predicateFeature } from './features.js';
import { rankCells, searchCells } from './correlation.js';
import { gateSaturation } from './saturation.js';
import { heatmapHtml, heatmapSvg, heatmapLayout, heatmapColor } from './heatmap.js';
import { saturationSvg, svgToPng, pngSize } from './render.js';
import { vizReport } from './report.js';
import { lineChartSpec, writeLineChart } from './line-chart.js';

// ---- A hand-built char LSTM with three planted interpretable cells ----------------------------
// Embedding dims: [is ", is \n, is (, is ), noise, noise]. LSTM H = 8, gate blocks i | f | g | o.
//   unit 0, the quote cell:  on '"' forget (f = 0) and, if it was outside (h₀ ≈ 0), write g = +1
//                            (i = σ(10 − 20 h₀ − 5)); elsewhere f = 1, i ≈ 0, g = 0: c toggles 0 ⇄ 1.
//   unit 3, a line counter:  c += 0.02 per character (i = 1, g = tanh 0.02), reset on '\n' (f = i = 0).
//   unit 5, the paren cell:  on '(' f = 0, i = 1, g = +1; on ')' f = 0, i ≈ 0; elsewhere c is kept.
// The other units read the noise dims through random weights (distractors).
const H = 8;
const E = 6;
const QUOTE = 0;
const LINE = 3;
const PAREN = 5;

function plantedModel(text: string): CharModel {
  const codec = CharCodec.fromText(text);
  const rng = createRng(11);
  const u = () => rng.next() * 2 - 1;
  const V = codec.size;
  const emb = new Float32Array(V * E);
  codec.chars.forEach((c, v) => {
    emb.set([c === '"' ? 1 : 0, c === '\n' ? 1 : 0, c === '(' ? 1 : 0, c === ')' ? 1 : 0, u(), u()], v * E);
  });
  const K = new Float32Array(E * 4 * H); // [E, 4H]
  const R = new Float32Array(H * 4 * H); // [H, 4H]
  const b = new Float32Array(4 * H); // [4H]
  const k = (row: number, gate: number, unit: number, v: number) => (K[row * 4 * H + gate * H + unit] = v);
  const r = (row: number, gate: number, unit: number, v: number) => (R[row * 4 * H + gate * H + unit] = v);
  const [I, F, G, O] = [0, 1, 2, 3];
  // quote cell
  k(0, I, QUOTE, 10);
  r(QUOTE, I, QUOTE, -20);
  b[I * H + QUOTE] = -5;
  k(0, F, QUOTE, -20);
  b[F * H + QUOTE] = 10;
  k(0, G, QUOTE, 10);
  b[O * H + QUOTE] = 10;
  // line counter
  k(1, I, LINE, -20);
  b[I * H + LINE] = 10;
  k(1, F, LINE, -20);
  b[F * H + LINE] = 10;
  b[G * H + LINE] = 0.02;
  b[O * H + LINE] = 10;
  // paren cell
  k(2, I, PAREN, 10);
  b[I * H + PAREN] = -5;
  k(2, F, PAREN, -20);
  k(3, F, PAREN, -20);
  b[F * H + PAREN] = 10;
  k(2, G, PAREN, 10);
  b[O * H + PAREN] = 10;
  // distractors
  for (let unit = 0; unit < H; unit++) {
    if (unit === QUOTE || unit === LINE || unit === PAREN) continue;
    for (let gate = 0; gate < 4; gate++) {
      k(4, gate, unit, 2 * u());
      k(5, gate, unit, 2 * u());
      for (let row = 0; row < H; row++) r(row, gate, unit, u());
    }
    b[F * H + unit] = 1;
  }
  const cell = stackCells([
    embeddingCell({ vocabSize: V, embeddingSize: E, weights: { embeddings: { shape: [V, E], data: emb } } }),
    lstmCell({ inputSize: E, hiddenSize: H, weights: { kernel: { shape: [E, 4 * H], data: K }, recurrentKernel: { shape: [H, 4 * H], data: R }, bias: { shape: [4 * H], data: b } } }),
    denseCell({ inputSize: H, outputSize: V, seed: 3 }),
  ]);
  return { cell, codec, name: 'planted' };
}

/** A text of random words with quoted spans, parentheses and lines of varied length. */
function plantedText(n: number): string {
  const rng = createRng(5);
  const words = ['the', 'whale', 'sea', 'ship', 'said', 'old', 'captain', 'a', 'of', 'and', 'white'];
  let s = '';
  let line = 0;
  let target = 20 + Math.floor(rng.next() * 50);
  let quote = false;
  let paren = false;
  while (s.length < n) {
    let w = words[Math.floor(rng.next() * words.length)];
    const p = rng.next();
    if (p < 0.12) {
      w = quote ? w + '"' : '"' + w;
      quote = !quote;
    } else if (p < 0.18) {
      w = paren ? w + ')' : '(' + w;
      paren = !paren;
    }
    if (line + w.length + 1 > target) {
      s += '\n';
      line = 0;
      target = 20 + Math.floor(rng.next() * 50);
    } else if (line > 0) {
      s += ' ';
      line++;
    }
    s += w;
    line += w.length;
  }
  return s;
}

describe('viz: activation trace', () => {
  const text = plantedText(300);
  let model: CharModel;
  beforeAll(() => {
    model = plantedModel(text);
  });
  afterAll(() => model.cell.dispose());

  it('collects every LSTM series per character, [T, H], the same for any read-back chunk, and leaks nothing', async () => {
    const a = await expectNoLeaks(() => traceActivations(model, text, { chunk: 7 }));
    const b = await expectNoLeaks(() => traceActivations(model, text, { chunk: 1000 }));
    const T = Array.from(text).length;
    expect(a.steps).toBe(T);
    expect(a.chars.join('')).toBe(text);
    expect(a.layers.map((l) => [l.layer, l.kind, l.size])).toEqual([[1, 'lstm', H]]);
    expect(Object.keys(a.layers[0].series).sort()).toEqual(['c', 'f', 'g', 'i', 'o', 'tanhC']);
    for (const [name, s] of Object.entries(a.layers[0].series)) {
      expect(s.length).toBe(T * H);
      expect(Array.from(s)).toEqual(Array.from(b.layers[0].series[name]));
    }
    const { c, tanhC } = a.layers[0].series;
    for (let j = 0; j < c.length; j += 37) expect(tanhC[j]).toBeCloseTo(Math.tanh(c[j]), 5);
  });

  it('matches the extras of stepping the cell by hand', async () => {
    const trace = await traceActivations(model, text, { maxChars: 30, series: ['f', 'tanhC'] });
    expect(Object.keys(trace.layers[0].series).sort()).toEqual(['f', 'tanhC']);
    const ids = model.codec.encode(text.slice(0, 30));
    let state = model.cell.initialState(1);
    for (let t = 0; t < ids.length; t++) {
      const [want, next] = tf.tidy(() => {
        const [, s, e] = model.cell.step(state, tf.tensor2d([[ids[t]]]), { extras: true });
        return [tf.concat([e!['1.f'], tf.tanh(e!['1.c'])], 1), s] as const;
      });
      Object.values(state).forEach((x) => x.dispose());
      state = next;
      const w = want.dataSync();
      want.dispose();
      for (let u = 0; u < H; u++) {
        expect(trace.layers[0].series.f[t * H + u]).toBeCloseTo(w[u], 5);
        expect(trace.layers[0].series.tanhC[t * H + u]).toBeCloseTo(w[H + u], 5);
      }
    }
    Object.values(state).forEach((x) => x.dispose());
  });

  it('rejects bad input clearly and frees everything when a step fails midway', async () => {
    await expectNoLeaks(async () => {
      await expect(traceActivations(model, 'the §')).rejects.toThrow(/traceActivations: text: expected characters of the model vocabulary, received "§"/);
      await expect(traceActivations(model, text, { series: ['nope'] })).rejects.toThrow(/traceActivations: model.cell: expected a model with a layer reporting extras named nope/);
      await expect(traceActivations({ ...model, cell: lstmCellNoEmbedding() }, text)).rejects.toThrow(/inputSize 1/);
      let n = 0;
      const failing: Cell = {
        ...model.cell,
        step: (s, x, ctx) => {
          if (++n === 100) throw new Error('boom at step 100');
          return model.cell.step(s, x, ctx);
        },
      };
      await expect(traceActivations({ ...model, cell: failing }, text, { chunk: 16 })).rejects.toThrow('boom at step 100');
    });
  });
});

function lstmCellNoEmbedding(): Cell {
  // Never stepped: the size check comes first; freed at once (no variables outlive the test).
  const c = lstmCell({ inputSize: 3, hiddenSize: 2 });
  c.dispose();
  return c;
}

describe('viz: correlation search', () => {
  const text = plantedText(1500);
  let model: CharModel;
  let trace: ActivationTrace;
  beforeAll(async () => {
    model = plantedModel(text);
    trace = await traceActivations(model, text);
  });
  afterAll(() => model.cell.dispose());

  it('finds the planted quote, line-position and parenthesis cells, each ranked first', () => {
    // A user predicate: "between straight quotes", by hand.
    let inside = false;
    const user = predicateFeature('same-as-quotes', (c) => (c === '"' ? (inside = !inside) : inside));
    const found = searchCells(trace, [textFeatures.insideQuotes, textFeatures.linePosition, textFeatures.insideParens, user], { topK: 3 });
    const best = found.map((f) => [f.feature.name, f.top[0].layer, f.top[0].unit]);
    expect(best).toEqual([
      ['inside-quotes', 1, QUOTE],
      ['line-position', 1, LINE],
      ['inside-parens', 1, PAREN],
      ['same-as-quotes', 1, QUOTE],
    ]);
    expect(found[0].top[0].r).toBeGreaterThan(0.99);
    expect(found[1].top[0].r).toBeGreaterThan(0.9);
    expect(found[2].top[0].r).toBeGreaterThan(0.99);
    // The runner-up is a distractor, far behind.
    for (const f of found) expect(Math.abs(f.top[1].r)).toBeLessThan(Math.abs(f.top[0].r) - 0.2);
    expect(found.every((f) => !f.constant)).toBe(true);
  });

  it('scores a unit exactly as Pearson r; constant features give r = 0', () => {
    const quotes = textFeatures.insideQuotes.values(trace.chars);
    const scores = rankCells(trace, quotes);
    expect(scores.length).toBe(H);
    const a = unitSeries(trace.layers[0], 'tanhC', 2);
    const n = a.length;
    const ma = a.reduce((s, v) => s + v, 0) / n;
    const mf = quotes.reduce((s, v) => s + v, 0) / n;
    let cov = 0, va = 0, vf = 0;
    for (let t = 0; t < n; t++) {
      cov += (a[t] - ma) * (quotes[t] - mf);
      va += (a[t] - ma) ** 2;
      vf += (quotes[t] - mf) ** 2;
    }
    expect(scores.find((s) => s.unit === 2)!.r).toBeCloseTo(cov / Math.sqrt(va * vf), 6);
    expect(rankCells(trace, new Float32Array(n).fill(1)).every((s) => s.r === 0)).toBe(true);
    expect(() => rankCells(trace, new Float32Array(3))).toThrow(/rankCells: feature: expected \d+ values/);
  });

  it('computes saturation fractions: the quote cell forgets exactly at the quotes', () => {
    const sat = gateSaturation(trace);
    expect(sat.map((g) => g.gate)).toEqual(['i', 'f', 'o']);
    const f = sat.find((g) => g.gate === 'f')!;
    const quotes = trace.chars.filter((c) => c === '"').length;
    const T = trace.steps;
    expect(f.left[QUOTE]).toBeCloseTo(quotes / T, 6);
    expect(f.right[QUOTE]).toBeCloseTo(1 - quotes / T, 6);
    const o = sat.find((g) => g.gate === 'o')!;
    expect(o.right[QUOTE]).toBe(1);
    expect(o.left[QUOTE]).toBe(0);
  });
});

describe('viz: saturation on a constructed trace', () => {
  it('counts < low as left, > high as right, per unit', () => {
    // T = 4, H = 3. Unit 0: 0.05, 0.5, 0.95, 0.99 → left 1/4, right 2/4. Unit 1: all 0.1 (not < 0.1)
    // → 0, 0. Unit 2: 0, 0, 0, 1 → left 3/4, right 1/4.
    const f = new Float32Array([0.05, 0.1, 0, 0.5, 0.1, 0, 0.95, 0.1, 0, 0.99, 0.1, 1]);
    const trace: ActivationTrace = { chars: ['a', 'b', 'c', 'd'], ids: [0, 1, 2, 3], steps: 4, layers: [{ layer: 1, kind: 'lstm', size: 3, series: { f } }] };
    const [g] = gateSaturation(trace);
    expect(g.gate).toBe('f');
    expect(Array.from(g.left)).toEqual([0.25, 0, 0.75]);
    expect(Array.from(g.right)).toEqual([0.5, 0, 0.25]);
    expect(() => gateSaturation({ ...trace, layers: [{ ...trace.layers[0], series: { tanhC: f } }] })).toThrow(/gateSaturation: trace: expected gate series/);
  });
});

describe('viz: heatmaps and figures', () => {
  it('HTML escapes the text and has exactly one span per character', () => {
    const text = '<b>"Tom & Jerry\'s"</b>\n(x)';
    const chars = Array.from(text);
    const values = chars.map((_, t) => Math.sin(t));
    const html = heatmapHtml(chars, values, { title: 'a <title> & more' });
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<title> &');
    expect(html).toContain('<h3>a &lt;title&gt; &amp; more</h3>');
    // One span per character, whose unescaped content is the character (newline shown as ↵).
    const spans = [...html.matchAll(/<span [^>]*>([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(html.match(/<span /g)!.length).toBe(chars.length);
    expect(spans.length).toBe(chars.length);
    const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    expect(spans.map(unescape)).toEqual(chars.map((c) => (c === '\n' ? '↵' : c)));
    expect(spans.slice(0, 4)).toEqual(['&lt;', 'b', '&gt;', '&quot;']);
    expect(heatmapColor(-1)).toBe('rgb(255,38,38)');
    expect(heatmapColor(1)).toBe('rgb(38,38,255)');
    expect(heatmapColor(0)).toBe('rgb(255,255,255)');
    expect(() => heatmapHtml(chars, [1, 2])).toThrow(/heatmapFragment: values: expected 26 values/);
  });

  it('renders the heatmap and the saturation plot as valid PNGs of the expected size', async () => {
    const chars = Array.from('He said "hello" & <left>.\nA second line, longer than the first one.');
    const values = chars.map((_, t) => (t % 7) / 3 - 1);
    const svg = heatmapSvg(chars, values, { title: 'unit 3', cols: 30 });
    expect(svg).not.toContain('<left>');
    expect(svg).toContain('>&lt;</text>');
    expect(svg).toContain('>&amp;</text>');
    const L = heatmapLayout(chars, { cols: 30, headerLines: 1 });
    expect(L.width).toBe(2 * 10 + 30 * 9);
    expect(L.height).toBe(2 * 10 + 22 + 3 * 18); // 26 chars incl. ↵, then 41 wrapped at 30: 3 rows
    const png = await svgToPng(svg);
    expect(pngSize(png)).toEqual({ width: L.width, height: L.height });
    const sat = [{ layer: 1, gate: 'f', size: 3, left: new Float32Array([0.1, 0.2, 0.3]), right: new Float32Array([0.5, 0.4, 0.1]) }];
    const satPng = await svgToPng(await saturationSvg(sat));
    const size = pngSize(satPng);
    expect(size.width).toBeGreaterThan(200);
    expect(size.height).toBeGreaterThan(200);
    expect(() => pngSize(new Uint8Array(30))).toThrow(/pngSize: png: expected PNG bytes/);
  });

  it('line charts: the spec drops points a log axis cannot show; the files are an SVG and its PNG at 2× zoom', async () => {
    const series = [
      { name: 'a', points: [{ x: 1, y: 1 }, { x: 2, y: 0 }, { x: 3, y: NaN }, { x: 4, y: 0.5 }] },
      { name: 'b', points: [{ x: 1, y: 2 }] },
    ];
    const o = { title: 'norms', xTitle: 'k', yTitle: 'norm' };
    const values = (spec: Record<string, unknown>) => (spec.data as { values: { x: number; series: string }[] }).values.map((v) => `${v.series}${v.x}`);
    expect(values(lineChartSpec(series, o))).toEqual(['a1', 'a2', 'a4', 'b1']);
    expect(values(lineChartSpec(series, { ...o, logY: true }))).toEqual(['a1', 'a4', 'b1']);
    expect(() => lineChartSpec({} as never, o)).toThrow(/lineChartSpec: series: expected an array of \{ name, points \}/);
    const dir = mkdtempSync(join(tmpdir(), 'rxrnn-line-'));
    try {
      const files = await writeLineChart(join(dir, 'chart'), series, { ...o, width: 300, height: 200 });
      const svg = readFileSync(files.svg, 'utf8');
      expect(svg).toMatch(/^<svg/);
      const width = Number(/<svg[^>]* width="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
      expect(width).toBeGreaterThan(300); // the plot area plus axes and legend
      expect(pngSize(new Uint8Array(readFileSync(files.png))).width).toBe(Math.ceil(2 * width));
      await expect(svgToPng(svg, { zoom: 0 })).rejects.toThrow(/svgToPng: options.zoom: expected a positive number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('vizReport writes an index linking real PNGs, and leaks nothing', async () => {
    const text = plantedText(300);
    const model = plantedModel(text);
    const out = mkdtempSync(join(tmpdir(), 'rxrnn-viz-'));
    try {
      const res = await expectNoLeaks(() => vizReport({ model, text, outDir: out, topK: 1, heatmapChars: 200, note: 'planted test model' }));
      expect(res.searches.map((s) => [s.feature, s.top[0].unit])).toEqual([
        ['inside-quotes', QUOTE],
        ['line-position', LINE],
        ['inside-parens', PAREN],
      ]);
      const index = readFileSync(join(out, 'index.html'), 'utf8');
      const pngs = [...index.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
      expect(pngs.length).toBe(1 + 3);
      for (const p of pngs) {
        const bytes = new Uint8Array(readFileSync(join(out, p)));
        expect(pngSize(bytes).width).toBeGreaterThan(100);
      }
      expect(existsSync(join(out, 'report.json'))).toBe(true);
      expect(index).toContain('planted test model');
    } finally {
      model.cell.dispose();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
