/**
 * `vizReport`: the paper's visualisations of a char model over a text, written to a folder
 * (Node only) — Karpathy, Johnson & Fei-Fei 2016, "Visualizing and Understanding Recurrent Networks":
 *
 *     outDir/index.html                      the report: links and shows every figure below
 *     outDir/saturation.{png,svg,vl.json}    gate saturation scatter (Fig. 3), one panel per gate
 *     outDir/heatmaps/<feature>-<k>-L<l>-u<u>.{png,html}
 *                                            tanh(c) of the k-th best cell for each feature (Fig. 2)
 *     outDir/report.json                     the numbers: correlations, saturation fractions
 *
 * ```ts
 * const model = await loadCharModelDir('models/char-rnn');
 * await vizReport({ model, text, outDir: 'docs/figures/viz', features: [...defaultFeatures(), predicateFeature('vowel', (c) => 'aeiou'.includes(c))] });
 * model.cell.dispose();
 * ```
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { traceActivations, unitSeries, type ActivationTrace, type CharModel } from './activation-trace.js';
import { textFeatures, type TextFeature } from './features.js';
import { searchCells, type FeatureSearch } from './correlation.js';
import { gateSaturation, GATE_NAMES, type GateSaturation } from './saturation.js';
import { escapeHtml, heatmapHtml, heatmapSvg } from './heatmap.js';
import { saturationSpec, vegaLiteToSvg, svgToPng } from './render.js';

/** The built-in features: inside quotes, position in line, inside parentheses. */
export function defaultFeatures(): TextFeature[] {
  return [textFeatures.insideQuotes, textFeatures.linePosition, textFeatures.insideParens];
}

export interface VizReportOptions {
  model: CharModel;
  text: string;
  outDir: string;
  /** Features to search cells for. Default {@link defaultFeatures}. */
  features?: readonly TextFeature[];
  /** Cells shown per feature. Default 3. */
  topK?: number;
  /** Characters traced (statistics use all of them). Default 10,000. */
  maxChars?: number;
  /** Characters shown per heatmap. Default 1,200. */
  heatmapChars?: number;
  /** Heatmap line width in characters. Default 80. */
  cols?: number;
  /** A note shown at the top of the report (e.g. which model this is and how it was trained). */
  note?: string;
}

export interface VizReportResult {
  outDir: string;
  /** Files written, relative to outDir. */
  files: string[];
  steps: number;
  layers: { layer: number; kind: string; size: number }[];
  searches: { feature: string; description?: string; constant: boolean; top: { layer: number; unit: number; r: number; png: string; html: string }[] }[];
  saturation: { layer: number; gate: string; meanLeft: number; meanRight: number }[];
}

/** Trace the model over the text, compute the statistics and write the report (see the module comment). */
export async function vizReport(options: VizReportOptions): Promise<VizReportResult> {
  const fn = 'vizReport';
  const { model, text, outDir } = options ?? ({} as VizReportOptions);
  if (typeof outDir !== 'string' || outDir.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.outDir', 'a directory path', describe(outDir));
  const topK = options.topK ?? 3;
  const heatmapChars = options.heatmapChars ?? 1200;
  for (const [arg, v] of [['options.topK', topK], ['options.heatmapChars', heatmapChars]] as const) {
    if (!Number.isInteger(v) || v < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, arg, 'a positive integer', describe(v));
  }
  const features = options.features ?? defaultFeatures();
  const names = new Set<string>();
  features.forEach((f, k) => {
    if (!f || typeof f.values !== 'function' || typeof f.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(f.name)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.features[${k}]`, 'a TextFeature with a file-name-safe name', describe(f));
    if (names.has(f.name)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.features[${k}].name`, 'distinct feature names', `a second ${JSON.stringify(f.name)}`);
    names.add(f.name);
  });

  const trace = await traceActivations(model, text, { maxChars: options.maxChars ?? 10_000, series: ['i', 'f', 'o', 'r', 'z', 'tanhC'] });
  const searches = searchCells(trace, features, { topK });
  const saturation = gateSaturation(trace);

  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await mkdir(join(outDir, 'heatmaps'), { recursive: true });
  const files: string[] = [];
  const write = async (rel: string, data: string | Uint8Array) => {
    await writeFile(join(outDir, rel), data);
    files.push(rel);
  };

  // Fig. 3: gate saturation.
  const spec = saturationSpec(saturation, { title: `Gate saturation: ${model.name ?? 'model'} over ${trace.steps} characters` });
  const satSvg = await vegaLiteToSvg(spec);
  await write('saturation.vl.json', JSON.stringify(spec));
  await write('saturation.svg', satSvg);
  await write('saturation.png', await svgToPng(satSvg));

  // Fig. 2: heatmaps of the best cells per feature.
  const result: VizReportResult['searches'] = [];
  for (const s of searches) {
    const [a, b] = heatmapWindow(s, heatmapChars, trace.chars);
    const chars = trace.chars.slice(a, b);
    const top: VizReportResult['searches'][number]['top'] = [];
    for (const [k, c] of s.top.entries()) {
      const layer = trace.layers.find((l) => l.layer === c.layer)!;
      const values = unitSeries(layer, c.series, c.unit).subarray(a, b);
      const base = `heatmaps/${s.feature.name}-${k + 1}-L${c.layer}-u${c.unit}`;
      const title = `${s.feature.name} #${k + 1}: layer ${c.layer} (${layer.kind}) cell ${c.unit}, r = ${c.r.toFixed(3)}`;
      const subtitle = `tanh(c) per character, chars ${a}–${b - 1}: red −1, white 0, blue +1`;
      await write(`${base}.html`, heatmapHtml(chars, values, { title, subtitle }));
      await write(`${base}.png`, await svgToPng(heatmapSvg(chars, values, { title, subtitle, cols: options.cols ?? 80 })));
      top.push({ layer: c.layer, unit: c.unit, r: c.r, png: `${base}.png`, html: `${base}.html` });
    }
    result.push({ feature: s.feature.name, description: s.feature.description, constant: s.constant, top });
  }

  const satSummary = saturation.map((g) => ({ layer: g.layer, gate: g.gate, meanLeft: mean(g.left), meanRight: mean(g.right) }));
  const layers = trace.layers.map((l) => ({ layer: l.layer, kind: l.kind, size: l.size }));
  await write('report.json', JSON.stringify({ model: model.name ?? null, note: options.note ?? null, steps: trace.steps, layers, searches: result, saturation: saturation.map(roundSat) }, null, 1) + '\n');
  await write('index.html', indexHtml(model, trace, options.note, result, satSummary));
  return { outDir, files, steps: trace.steps, layers, searches: result, saturation: satSummary };
}

/**
 * The window of `n` characters, starting at a line start, where the feature varies most (largest
 * variance, from prefix sums): for a 0/1 feature, the passage closest to half inside, half outside.
 */
function heatmapWindow(s: FeatureSearch, n: number, chars: readonly string[]): [number, number] {
  const T = chars.length;
  if (T <= n) return [0, T];
  const v = s.values;
  const sum = new Float64Array(T + 1);
  const sq = new Float64Array(T + 1);
  for (let t = 0; t < T; t++) {
    sum[t + 1] = sum[t] + v[t];
    sq[t + 1] = sq[t] + v[t] * v[t];
  }
  let best = 0;
  let bestVar = -1;
  for (let a = 0; a + n <= T; a++) {
    if (a > 0 && chars[a - 1] !== '\n') continue;
    const m = (sum[a + n] - sum[a]) / n;
    const variance = (sq[a + n] - sq[a]) / n - m * m;
    if (variance > bestVar + 1e-9) {
      bestVar = variance;
      best = a;
    }
  }
  return [best, best + n];
}

function mean(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return a.length ? s / a.length : 0;
}

function roundSat(g: GateSaturation) {
  const r = (a: Float32Array) => Array.from(a, (v) => Math.round(v * 1e4) / 1e4);
  return { layer: g.layer, gate: g.gate, left: r(g.left), right: r(g.right) };
}

function indexHtml(model: CharModel, trace: ActivationTrace, note: string | undefined, searches: VizReportResult['searches'], sat: VizReportResult['saturation']): string {
  const e = escapeHtml;
  const rows = sat.map((g) => `<tr><td>${g.layer}</td><td>${e(GATE_NAMES[g.gate] ?? g.gate)}</td><td>${g.meanLeft.toFixed(3)}</td><td>${g.meanRight.toFixed(3)}</td></tr>`).join('');
  const sections = searches
    .map((s) => {
      const head = `<h2>${e(s.feature)}</h2><p>${e(s.description ?? '')}${s.constant ? ' — <b>constant over this text: the ranking means nothing</b>' : ''}</p>`;
      const table = `<table><tr><th>rank</th><th>layer</th><th>cell</th><th>r</th><th>heatmap</th></tr>${s.top.map((c, k) => `<tr><td>${k + 1}</td><td>${c.layer}</td><td>${c.unit}</td><td>${c.r.toFixed(3)}</td><td><a href="${e(c.png)}">PNG</a> · <a href="${e(c.html)}">HTML</a></td></tr>`).join('')}</table>`;
      const imgs = s.top.map((c) => `<p><a href="${e(c.html)}"><img src="${e(c.png)}" alt="${e(`${s.feature} layer ${c.layer} cell ${c.unit}`)}"></a></p>`).join('');
      return head + table + imgs;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(`Cell visualisation: ${model.name ?? 'model'}`)}</title>
<style>body{font-family:"DejaVu Sans",sans-serif;margin:20px;max-width:1000px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}img{max-width:100%;border:1px solid #eee}.note{background:#fff6d5;padding:8px}</style></head>
<body><h1>${e(`Cell visualisation: ${model.name ?? 'model'}`)}</h1>
${note ? `<p class="note">${e(note)}</p>` : ''}
<p>After Karpathy, Johnson &amp; Fei-Fei (2016), <i>Visualizing and Understanding Recurrent Networks</i>. ${trace.steps} characters traced; layers: ${trace.layers.map((l) => `${l.layer} (${e(l.kind)}, ${l.size} units)`).join(', ')}.</p>
<h2>Gate saturation</h2><p>Per unit, the fraction of characters a gate is below 0.1 (left-saturated) and above 0.9 (right-saturated).</p>
<p><img src="saturation.png" alt="gate saturation scatter plot"></p>
<table><tr><th>layer</th><th>gate</th><th>mean fraction left</th><th>mean fraction right</th></tr>${rows}</table>
<h1>Cells that track features of the text</h1><p>Units ranked by |Pearson r| between tanh(c<sub>t</sub>) and the feature; heatmaps colour each character by the cell's tanh(c) after reading it (red −1, blue +1).</p>
${sections}
</body></html>
`;
}
