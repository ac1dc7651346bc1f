/**
 * The demo page's script, bundled for browsers by build.ts. It uses the @rxrnn/ws client only:
 * one connection to the server it was served from, one stream at a time on the chosen model.
 *
 * - char models: the page starts with a pre-filled prompt and continues it at once, so it is alive
 *   before anyone types; what you type is fed to the model; after a pause the stream generates a
 *   continuation, token by token. Typing again cancels it: the stream is re-opened from the
 *   snapshot taken after the typed text, so the model's state always matches the text shown.
 * - vector models: a synthetic signal streams in at 30 steps/s and the outputs are plotted.
 * - both: a scrolling heatmap of the chosen extra (gate activations, cell state), one column per step.
 * - translate models (session models, e.g. the dates translator): the source text box is translated
 *   on a fresh stream after each pause in typing; tokens are shown as they are committed and the
 *   alignment (target tokens × source positions) is drawn one row per token as they arrive.
 */
import { connect, type RemoteStream, type ModelInfo, type OutputMessage } from '@rxrnn/ws/browser';
import type { StateSnapshot } from '@rxrnn/core';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLSpanElement>('status');
const modelSelect = $<HTMLSelectElement>('model');
const extraSelect = $<HTMLSelectElement>('extra');
const heatmap = $<HTMLCanvasElement>('heatmap');
const stepsEl = $<HTMLSpanElement>('steps');
const latencyEl = $<HTMLSpanElement>('latency');

const params = new URLSearchParams(location.search);
const token = params.get('token') ?? undefined;
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const conn = connect(wsUrl, { token });

const setStatus = (state: string, text: string) => {
  status.dataset.state = state;
  status.textContent = text;
};
conn.status$.subscribe((s) => setStatus(s, s === 'open' ? 'connected' : s));

// ---------------------------------------------------------------------------------------------
// Heatmap: columns of unit activations, newest at the right.

const COLS = 180;
let columns: Float32Array[] = [];
let steps = 0;
function pushColumn(out: OutputMessage): void {
  steps++;
  stepsEl.textContent = String(steps);
  if (!out.extras) return;
  const names = Object.keys(out.extras);
  if (extraSelect.options.length !== names.length) {
    const keep = extraSelect.value;
    extraSelect.replaceChildren(...names.map((n) => new Option(n, n)));
    // Default: the first layer's cell state if there is one.
    extraSelect.value = names.includes(keep) ? keep : (names.find((n) => /(^|\.)c$/.test(n)) ?? names[0]);
  }
  const v = out.extras[extraSelect.value];
  if (!v) return;
  // Cell states are unbounded: squash them with tanh (what the LSTM itself applies) for display.
  const squash = /(^|\.)c$/.test(extraSelect.value);
  columns.push(Float32Array.from(v, (a) => (squash ? Math.tanh(a) : a)));
  if (columns.length > COLS) columns = columns.slice(-COLS);
  drawHeatmap();
}
function color(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, v));
  return t < 0 ? [255 + t * (255 - 43), 255 + t * (255 - 108), 255 + t * (255 - 176)] : [255 - t * (255 - 192), 255 - t * (255 - 57), 255 - t * (255 - 43)];
}
function drawHeatmap(): void {
  const ctx = heatmap.getContext('2d')!;
  const units = columns[0]?.length ?? 1;
  const img = ctx.createImageData(COLS, units);
  columns.forEach((col, i) => {
    const x = COLS - columns.length + i;
    for (let u = 0; u < units; u++) {
      const [r, g, b] = color(col[u] ?? 0);
      const k = 4 * (u * COLS + x);
      img.data[k] = r;
      img.data[k + 1] = g;
      img.data[k + 2] = b;
      img.data[k + 3] = 255;
    }
  });
  const tmp = document.createElement('canvas');
  tmp.width = COLS;
  tmp.height = units;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, heatmap.width, heatmap.height);
  ctx.drawImage(tmp, 0, 0, heatmap.width, heatmap.height);
}
extraSelect.addEventListener('change', () => {
  columns = [];
  drawHeatmap();
});

// ---------------------------------------------------------------------------------------------
// Char models

let stopCurrent: () => void = () => undefined;
/** The prompt a char model continues as soon as the page loads (when the text box is empty). */
const PROMPT = 'The ';

function charDemo(info: ModelInfo): () => void {
  const prompt = $<HTMLTextAreaElement>('prompt');
  const typed = $<HTMLSpanElement>('typed');
  const continuation = $<HTMLSpanElement>('continuation');
  const temperature = $<HTMLInputElement>('temperature');
  const length = $<HTMLInputElement>('length');
  const seed = $<HTMLInputElement>('seed');
  const vocab = new Set(Array.from(String(info.io.vocab ?? '')));
  const unknown = (info.io.unknown as string | null) ?? null;
  let fed = ''; // text the model has consumed
  let snap: { snapshot: StateSnapshot; seq: number; last?: number[] } | null = null; // state after `fed`
  let stream: RemoteStream | null = null;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clean = (s: string) => Array.from(s).map((c) => (vocab.has(c) ? c : (unknown ?? ''))).join('');

  const openStream = () => {
    stream?.close();
    const s = conn.open(info.name, { extras: true, ...(snap ? { snapshot: snap.snapshot, seq: snap.seq, last: snap.last } : {}) });
    s.output$.subscribe({
      next: (out) => {
        pushColumn(out);
        if (out.token && s === stream) continuation.textContent += out.token.char;
      },
      error: (e) => setStatus('error', `error: ${(e as Error).message}`),
    });
    stream = s;
    return s;
  };

  const update = async () => {
    const gen = ++generation;
    const text = clean(prompt.value);
    typed.textContent = text;
    continuation.textContent = '';
    if (!text.startsWith(fed)) {
      fed = '';
      snap = null;
    }
    const delta = text.slice(fed.length);
    // Re-open from the state after `fed` (this also cancels a running generation).
    const s = openStream();
    const t0 = performance.now();
    if (delta) s.next(delta);
    fed = text;
    if (!fed) return;
    snap = await s.snapshot();
    if (gen !== generation) return;
    latencyEl.textContent = `${(performance.now() - t0).toFixed(1)} ms for ${Array.from(delta).length} chars`;
    await s.generate(Math.max(1, Math.min(2000, Number(length.value) || 160)), { temperature: Number(temperature.value), seed: Number(seed.value) || 0 }).catch(() => undefined);
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void update(), 350);
  };
  const onTemp = () => ($<HTMLOutputElement>('temperature-value').value = temperature.value);
  prompt.addEventListener('input', schedule);
  temperature.addEventListener('input', onTemp);
  temperature.addEventListener('change', schedule);
  length.addEventListener('change', schedule);
  seed.addEventListener('change', schedule);
  if (!prompt.value) prompt.value = PROMPT;
  void update(); // continue the prompt now, without the typing pause
  return () => {
    clearTimeout(timer);
    prompt.removeEventListener('input', schedule);
    temperature.removeEventListener('input', onTemp);
    temperature.removeEventListener('change', schedule);
    length.removeEventListener('change', schedule);
    seed.removeEventListener('change', schedule);
    stream?.close();
  };
}

// ---------------------------------------------------------------------------------------------
// Vector models

function vectorDemo(info: ModelInfo): () => void {
  const plot = $<HTMLCanvasElement>('plot');
  const run = $<HTMLButtonElement>('run');
  const X = info.inputSize;
  const stream = conn.open(info.name, { extras: true });
  const history: number[][] = [];
  const sent = new Map<number, number>();
  let t = 0;
  let sentSteps = 0;
  let running = true;
  stream.output$.subscribe({
    next: (out) => {
      pushColumn(out);
      const t0 = sent.get(out.seq);
      if (t0 !== undefined) {
        latencyEl.textContent = `${(performance.now() - t0).toFixed(1)} ms`;
        sent.delete(out.seq);
      }
      if (out.y) {
        history.push(out.y);
        if (history.length > COLS) history.shift();
        drawPlot();
      }
    },
    error: (e) => setStatus('error', `error: ${(e as Error).message}`),
  });
  const drawPlot = () => {
    const ctx = plot.getContext('2d')!;
    ctx.clearRect(0, 0, plot.width, plot.height);
    const colors = ['#c0392b', '#2b6cb0', '#2f855a', '#b7791f', '#6b46c1', '#555'];
    const Y = history[0]?.length ?? 0;
    for (let j = 0; j < Y; j++) {
      ctx.strokeStyle = colors[j % colors.length];
      ctx.beginPath();
      history.forEach((y, i) => {
        const px = ((COLS - history.length + i) / (COLS - 1)) * plot.width;
        const py = plot.height / 2 - (y[j] * plot.height) / 2.2;
        if (i) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
      });
      ctx.stroke();
    }
  };
  const timer = setInterval(() => {
    if (!running) return;
    const x = Array.from({ length: X }, (_, k) => (k % 2 ? Math.sign(Math.sin(t / (7 + 3 * k))) : Math.sin(t / (5 + 4 * k))));
    sent.set(sentSteps++, performance.now());
    stream.next(x);
    t++;
  }, 1000 / 30);
  const toggle = () => {
    running = !running;
    run.textContent = running ? 'Pause' : 'Resume';
  };
  run.addEventListener('click', toggle);
  return () => {
    clearInterval(timer);
    run.removeEventListener('click', toggle);
    stream.close();
  };
}

// ---------------------------------------------------------------------------------------------
// Translate models

interface TranslateOutput {
  token?: { id: number; text: string; position: number };
  extras?: { attention?: number[] };
  final?: { text: string; score: number };
}

function translateDemo(info: ModelInfo): () => void {
  const source = $<HTMLInputElement>('source');
  const beam = $<HTMLSelectElement>('beam');
  const out = $<HTMLPreElement>('translation');
  const errorEl = $<HTMLParagraphElement>('translate-error');
  const canvas = $<HTMLCanvasElement>('alignment');
  let stream: RemoteStream | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let rows: { text: string; attention: number[] }[] = [];
  let src: string[] = [];

  const draw = () => {
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (!src.length) return;
    const left = 40;
    const top = 20;
    const cw = Math.min(24, (canvas.width - left) / src.length);
    const ch = Math.min(20, (canvas.height - top) / Math.max(rows.length, 8));
    ctx.font = '12px monospace';
    ctx.fillStyle = '#333';
    src.forEach((c, j) => ctx.fillText(c === ' ' ? '␣' : c, left + j * cw + cw / 3, 14));
    rows.forEach((r, i) => {
      ctx.fillStyle = '#333';
      ctx.fillText(r.text, 8, top + i * ch + ch * 0.75);
      r.attention.forEach((a, j) => {
        const v = Math.round(255 * (1 - Math.max(0, Math.min(1, a))));
        ctx.fillStyle = `rgb(${v},${v},255)`;
        ctx.fillRect(left + j * cw, top + i * ch, cw - 1, ch - 1);
      });
    });
  };

  const translate = () => {
    stream?.close();
    rows = [];
    src = Array.from(source.value);
    out.textContent = '';
    errorEl.textContent = '';
    delete document.body.dataset.translated;
    draw();
    const s = conn.open(info.name, { extras: true, beam: Number(beam.value) });
    stream = s;
    const t0 = performance.now();
    s.output$.subscribe({
      next: (m) => {
        if (s !== stream) return;
        const o = m as unknown as TranslateOutput;
        pushColumn(m);
        if (o.token) {
          out.textContent += o.token.text;
          rows.push({ text: o.token.text, attention: o.extras?.attention ?? [] });
          document.body.dataset.tokens = String(rows.length);
          draw();
        }
        if (o.final) {
          latencyEl.textContent = `${(performance.now() - t0).toFixed(1)} ms for ${rows.length} tokens (score ${o.final.score.toFixed(3)})`;
          document.body.dataset.translated = o.final.text;
        }
      },
      error: (e) => {
        if (s !== stream) return;
        errorEl.textContent = `${(e as { code?: string }).code ?? 'error'}: ${(e as Error).message}`;
        document.body.dataset.translateError = (e as { code?: string }).code ?? 'error';
      },
    });
    s.next(source.value);
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(translate, 300);
  };
  source.addEventListener('input', schedule);
  beam.addEventListener('change', translate);
  translate();
  return () => {
    clearTimeout(timer);
    source.removeEventListener('input', schedule);
    beam.removeEventListener('change', translate);
    stream?.close();
  };
}

// ---------------------------------------------------------------------------------------------

function choose(info: ModelInfo): void {
  stopCurrent();
  columns = [];
  steps = 0;
  extraSelect.replaceChildren();
  drawHeatmap();
  const isChar = info.io.kind === 'char';
  const isTranslate = info.io.kind === 'translate';
  $<HTMLElement>('char-ui').hidden = !isChar;
  $<HTMLElement>('vector-ui').hidden = isChar || isTranslate;
  $<HTMLElement>('translate-ui').hidden = !isTranslate;
  $<HTMLElement>('cell-ui').hidden = isTranslate;
  const shape = isTranslate ? `translator, beam ≤ ${String(info.io.maxBeam)}, ≤ ${String(info.io.maxSourceTokens)} source tokens` : isChar ? `${info.outputSize} characters` : `${info.inputSize} → ${info.outputSize}`;
  $<HTMLSpanElement>('model-info').textContent = `${info.kind}, ${shape}${info.description ? ` — ${info.description}` : ''}`;
  stopCurrent = isTranslate ? translateDemo(info) : isChar ? charDemo(info) : vectorDemo(info);
  document.body.dataset.model = info.name;
}

conn.ready.then(
  (welcome) => {
    const models = welcome.models;
    modelSelect.replaceChildren(...models.map((m) => new Option(`${m.name} (${m.io.kind})`, m.name)));
    // Prefer a char model (the char-RNN) when the server hosts one; ?model= chooses.
    const wanted = params.get('model');
    const first = models.find((m) => m.name === wanted) ?? models.find((m) => m.io.kind === 'char') ?? models[0];
    modelSelect.value = first.name;
    modelSelect.addEventListener('change', () => choose(models.find((m) => m.name === modelSelect.value)!));
    choose(first);
  },
  (e: Error) => setStatus('error', `cannot connect: ${e.message}`),
);
