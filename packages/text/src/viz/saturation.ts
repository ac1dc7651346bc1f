/**
 * Gate saturation (Karpathy, Johnson & Fei-Fei 2016, §4.3, Fig. 3): for each gate unit, the
 * fraction of time steps it is left-saturated (activation < 0.1) and right-saturated (> 0.9).
 * A forget-gate unit that is right-saturated nearly always is an integrator (it remembers over
 * long spans); one that is never saturated is a "leaky" unit. Pure JS over an {@link ActivationTrace}.
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import type { ActivationTrace } from './activation-trace.js';

/** Gate names the paper plots: LSTM input, forget, output; GRU reset, update. */
export const GATE_NAMES: Readonly<Record<string, string>> = { i: 'input gate', f: 'forget gate', o: 'output gate', r: 'reset gate', z: 'update gate' };

/** Saturation of one gate of one layer: `left[u]`, `right[u]` are fractions of the T steps. */
export interface GateSaturation {
  layer: number;
  gate: string;
  size: number;
  left: Float32Array;
  right: Float32Array;
}

export interface SaturationOptions {
  /** Left-saturated below this. Default 0.1. */
  low?: number;
  /** Right-saturated above this. Default 0.9. */
  high?: number;
  /** Which series count as gates. Default: those of {@link GATE_NAMES} present in the trace. */
  gates?: readonly string[];
}

/** Per layer, per gate, per unit: the fraction of steps left- and right-saturated. */
export function gateSaturation(trace: ActivationTrace, options: SaturationOptions = {}): GateSaturation[] {
  const fn = 'gateSaturation';
  const low = options.low ?? 0.1;
  const high = options.high ?? 0.9;
  if (!(low <= high)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options', 'low ≤ high', `low ${describe(low)}, high ${describe(high)}`);
  if (!trace || !Array.isArray(trace.layers) || !(trace.steps > 0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'trace', 'an ActivationTrace of at least one step', describe(trace));
  const gates = options.gates ?? Object.keys(GATE_NAMES);
  const out: GateSaturation[] = [];
  for (const l of trace.layers) {
    for (const gate of gates) {
      const s = l.series[gate];
      if (!s) continue;
      const H = l.size;
      const T = s.length / H;
      const left = new Float32Array(H);
      const right = new Float32Array(H);
      for (let t = 0; t < T; t++) {
        const row = t * H;
        for (let u = 0; u < H; u++) {
          const v = s[row + u];
          if (v < low) left[u]++;
          else if (v > high) right[u]++;
        }
      }
      for (let u = 0; u < H; u++) {
        left[u] /= T;
        right[u] /= T;
      }
      out.push({ layer: l.layer, gate, size: H, left, right });
    }
  }
  if (out.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'trace', `gate series ${gates.join(', ')}`, `series ${trace.layers.flatMap((l) => Object.keys(l.series)).join(', ') || 'none'}`);
  return out;
}
