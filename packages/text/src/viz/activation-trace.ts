/**
 * Activation trace: run a char model over a text and keep, per layer and per character, what its
 * recurrent layers report — for an LSTM the gates i, f, o, the candidate g, the cell c and the
 * paper's visualised quantity tanh(c_t) (Karpathy, Johnson & Fei-Fei 2016, §4.2) — as Float32Arrays.
 *
 * Shape contract: the model is a Cell taking a token id `[1, 1]` per step (an embedding first, as
 * `stackCells([embeddingCell, lstmCell…, denseCell])`); each series is `[T, H]` row-major
 * (`series[name][t * H + u]`). The steps stream through `recurrent(cell, { emit: 'step', extras: true })`;
 * the extras of `chunk` steps are kept on the device, concatenated there and read back once.
 *
 * ```ts
 * const trace = await traceActivations({ cell, codec }, 'He said "hi".');
 * const q = unitSeries(trace.layers[0], 'tanhC', 5); // Float32Array [T]
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { from, map, takeWhile } from 'rxjs';
import { recurrent, rxrnnError, ErrorCodes, describe, type Cell, type StepOutput } from '@rxrnn/core';
import type { CharCodec } from '../char-codec.js';

/** A char model: its cell and its vocabulary. */
export interface CharModel {
  cell: Cell;
  codec: CharCodec;
  /** A name for reports. */
  name?: string;
}

/** What one layer reported over the text. */
export interface LayerTrace {
  /** Index of the layer in the stack (the extras' prefix), e.g. 1 for `1.i`. */
  layer: number;
  /** The layer's kind (`'lstm'`, `'gru'`…), from the stack's config. */
  kind: string;
  /** H: units per step. */
  size: number;
  /** Series by name (`'i'`, `'f'`, `'g'`, `'o'`, `'c'`, `'tanhC'`…), each `[T, H]` row-major. */
  series: Record<string, Float32Array>;
}

export interface ActivationTrace {
  /** The T characters stepped (code points). */
  chars: string[];
  /** Their token ids. */
  ids: number[];
  steps: number;
  /** The layers that report extras, in stack order. */
  layers: LayerTrace[];
}

export interface TraceOptions {
  /** Keep only these series (default: every extra the layers report, plus `tanhC` where there is a `c`). */
  series?: readonly string[];
  /** Steps per read-back. Default 64. */
  chunk?: number;
  /** Trace at most this many characters (the text's first). Default: all. */
  maxChars?: number;
}

interface Slot {
  layer: number;
  name: string;
  size: number;
  /** The extras key it comes from (`'1.c'` for `tanhC` of layer 1). */
  key: string;
  tanh: boolean;
}

/** Run `model` over `text` and collect its layers' extras per character (see the module comment). */
export async function traceActivations(model: CharModel, text: string, options: TraceOptions = {}): Promise<ActivationTrace> {
  const fn = 'traceActivations';
  const cell = model?.cell;
  if (!cell || typeof cell.step !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'model.cell', 'a Cell', describe(cell));
  if (!model.codec || typeof model.codec.encode !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'model.codec', 'a CharCodec', describe(model.codec));
  if (cell.inputSize !== 1) throw rxrnnError(ErrorCodes.SIZE, fn, 'model.cell', 'a cell taking one token id per step (inputSize 1, an embedding first)', `inputSize ${cell.inputSize}`);
  if (typeof text !== 'string' || text.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'text', 'a non-empty string', describe(text));
  const chunk = options.chunk ?? 64;
  if (!Number.isInteger(chunk) || chunk < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.chunk', 'a positive integer', describe(chunk));
  let chars = Array.from(text);
  if (options.maxChars !== undefined) {
    if (!Number.isInteger(options.maxChars) || options.maxChars < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.maxChars', 'a positive integer', describe(options.maxChars));
    chars = chars.slice(0, options.maxChars);
  }
  const ids = model.codec.encode(chars.join(''), fn);
  const T = ids.length;
  const kinds = layerKinds(cell);

  return new Promise<ActivationTrace>((resolve, reject) => {
    let slots: Slot[] | null = null;
    let width = 0;
    let layers: LayerTrace[] = [];
    let pending = new Map<string, tf.Tensor[]>(); // extras kept until the next read-back: key → n × [1, H]
    let n = 0; // steps pending
    let done = 0; // steps read back
    let failed = false;

    const release = () => {
      for (const ts of pending.values()) ts.forEach((t) => t.dispose());
      pending = new Map();
      n = 0;
    };
    // One read-back for `n` steps: per extras key, concat the steps ([n, H]); tanh(c) on the block; then
    // all series side by side ([n, W]) and a single dataSync.
    const flush = () => {
      if (n === 0) return;
      const plan = slots!;
      const block = tf.tidy(() => {
        const byKey = new Map<string, tf.Tensor>();
        for (const [key, ts] of pending) byKey.set(key, tf.concat(ts, 0)); // [n, H]
        return tf.concat(plan.map((s) => (s.tanh ? tf.tanh(byKey.get(s.key)!) : byKey.get(s.key)!)), 1); // [n, W]
      });
      const steps = n;
      release();
      let data: Float32Array;
      try {
        data = block.dataSync() as Float32Array;
      } finally {
        block.dispose();
      }
      const dsts = plan.map((s) => layers.find((l) => l.layer === s.layer)!.series[s.name]);
      for (let k = 0; k < steps; k++) {
        let off = k * width;
        plan.forEach((s, j) => {
          dsts[j].set(data.subarray(off, off + s.size), (done + k) * s.size);
          off += s.size;
        });
      }
      done += steps;
    };
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      release();
      reject(e);
    };

    // takeWhile stops the steps (and frees the stream's state) as soon as a step fails.
    from(ids)
      .pipe(
        takeWhile(() => !failed),
        map((id) => [id]), // [X = 1]: one token id
        recurrent(cell, { emit: 'step', extras: true }),
      )
      .subscribe({
        next(out: StepOutput) {
          const extras = out.extras ?? {};
          const kept = new Set<tf.Tensor>();
          try {
            if (slots === null) {
              slots = planSlots(fn, extras, kinds, options.series);
              width = slots.reduce((a, s) => a + s.size, 0);
              layers = [...new Set(slots.map((s) => s.layer))].map((layer) => ({
                layer,
                kind: kinds[layer] ?? 'unknown',
                size: slots!.find((s) => s.layer === layer)!.size,
                series: Object.fromEntries(slots!.filter((s) => s.layer === layer).map((s) => [s.name, new Float32Array(T * s.size)])),
              }));
            }
            for (const key of new Set(slots.map((s) => s.key))) {
              const t = extras[key];
              if (!t) throw rxrnnError(ErrorCodes.STATE, fn, 'model.cell', `extras "${key}" at every step`, 'a step without it');
              if (!pending.has(key)) pending.set(key, []);
              pending.get(key)!.push(t); // [1, H], freed at the read-back
              kept.add(t);
            }
            n++;
            if (n >= chunk) flush();
          } catch (e) {
            fail(e);
          } finally {
            out.y.dispose();
            for (const t of Object.values(extras)) if (!kept.has(t)) t.dispose();
          }
        },
        error: fail,
        complete() {
          if (failed) return;
          try {
            flush();
            resolve({ chars, ids, steps: T, layers });
          } catch (e) {
            fail(e);
          }
        },
      });
  });
}

/** The values of one unit over time: `series[name][t * H + unit]` for t = 0…T−1. */
export function unitSeries(layer: LayerTrace, name: string, unit: number): Float32Array {
  const s = layer?.series?.[name];
  if (!s) throw rxrnnError(ErrorCodes.ARGUMENT, 'unitSeries', 'name', `one of ${Object.keys(layer?.series ?? {}).join(', ')}`, describe(name));
  if (!Number.isInteger(unit) || unit < 0 || unit >= layer.size) throw rxrnnError(ErrorCodes.ARGUMENT, 'unitSeries', 'unit', `an integer in [0, ${layer.size})`, describe(unit));
  const H = layer.size;
  const T = s.length / H;
  const out = new Float32Array(T);
  for (let t = 0; t < T; t++) out[t] = s[t * H + unit];
  return out;
}

/** Layer kinds by stack index (a bare cell is layer 0). */
function layerKinds(cell: Cell): string[] {
  const layers = (cell.config as { layers?: { kind?: string }[] }).layers;
  if (cell.kind === 'stack' && Array.isArray(layers)) return layers.map((l) => String(l?.kind ?? 'unknown'));
  return [cell.kind];
}

/** Decide, from the first step's extras, which series to keep and where they sit in a row. */
function planSlots(fn: string, extras: Record<string, tf.Tensor>, kinds: string[], wanted?: readonly string[]): Slot[] {
  const slots: Slot[] = [];
  for (const [key, t] of Object.entries(extras)) {
    const m = /^(\d+)\.(.+)$/.exec(key);
    const layer = m ? Number(m[1]) : 0;
    const name = m ? m[2] : key;
    if (t.shape.length !== 2 || t.shape[0] !== 1) continue; // per-unit [1, H] series only
    const size = t.shape[1];
    if (!wanted || wanted.includes(name)) slots.push({ layer, name, size, key, tanh: false });
    if (name === 'c' && (!wanted || wanted.includes('tanhC'))) slots.push({ layer, name: 'tanhC', size, key, tanh: true });
  }
  // Layers must have one size per layer for the [T, H] layout; LSTM/GRU extras all do.
  const byLayer = new Map<number, number>();
  for (const s of slots) {
    const h = byLayer.get(s.layer);
    if (h !== undefined && h !== s.size) throw rxrnnError(ErrorCodes.SHAPE, fn, `extras of layer ${s.layer}`, `one size per layer (${h})`, `a series "${s.name}" of size ${s.size}`);
    byLayer.set(s.layer, s.size);
  }
  if (slots.length === 0) {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'model.cell', `a model with a layer reporting extras${wanted ? ` named ${wanted.join(', ')}` : ''} (lstm, gru, rnn)`, `extras ${Object.keys(extras).join(', ') || 'none'} (layers ${kinds.join(', ')})`);
  }
  return slots.sort((a, b) => a.layer - b.layer);
}
