/**
 * Rebuild a cell from its JSON config and named weights: the inverse of `cell.config` +
 * `cell.params`. Every family registers a builder under its `kind`; composite cells (stack,
 * wrappers) build their parts through the `build` callback, which carries the build options
 * (`fused`: whether and on which kernels the layers run fused) to every part.
 */
import type * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type Cell, type CellConfig, type ParamInit } from '@rxrnn/core';
import type { KernelsConfig } from '@rxrnn/kernels';
import { rnnCell } from '../rnn/rnn-cell.js';
import { lstmCell } from '../lstm/lstm-cell.js';
import { gruCell } from '../gru/gru-cell.js';
import { stackCells } from '../stack/stack-cell.js';
import { denseCell } from '../layers/dense-cell.js';
import { embeddingCell } from '../layers/embedding-cell.js';
import { lstmVariantCell } from '../lstm-variants/lstm-variant-cell.js';
import { layerNormLstmCell } from '../lstm-variants/layernorm-lstm-cell.js';
import { mutCell, type MutCellOptions } from '../mut/mut-cell.js';
import { tRnnCell, tLstmCell, tGruCell, type TRnnCellOptions, type TGatedCellOptions } from '../typed/typed-cell.js';
import { rhnCell, type RhnCellOptions } from '../highway/rhn-cell.js';
import { gridLstmCell, type GridLstmCellOptions } from '../grid/grid-lstm-cell.js';
import { residualCell } from '../residual/residual-cell.js';
import { variationalDropout, type VariationalDropoutOptions } from '../regularise/variational-dropout-cell.js';
import { zoneout } from '../regularise/zoneout-cell.js';

export type Weights = Record<string, ParamInit>;

/** How {@link cellFromConfig} builds cells, beyond their config. */
export interface BuildOptions {
  /**
   * Run the layers the kernels cover on the fused kernels of @rxrnn/kernels (default true, as the
   * cell factories do); `false` builds plain tfjs steps; a kernels config picks the kernels
   * (`{ native: false }`: WebAssembly).
   */
  fused?: boolean | KernelsConfig;
}

export type CellBuilder = (config: CellConfig & Record<string, unknown>, weights: Weights | undefined, build: (config: CellConfig, weights: Weights | undefined) => Cell, options: BuildOptions) => Cell;

const builders = new Map<string, CellBuilder>();

/** Register how to rebuild cells of `kind`. Later registrations replace earlier ones. */
export function registerCellKind(kind: string, builder: CellBuilder): void {
  builders.set(kind, builder);
}

/** The registered kinds. */
export function cellKinds(): string[] {
  return [...builders.keys()].sort();
}

/** The entries of `weights` under `prefix`, with the prefix removed. */
export function subWeights(weights: Weights | undefined, prefix: string): Weights | undefined {
  if (!weights) return undefined;
  const out: Weights = {};
  for (const [k, v] of Object.entries(weights)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/**
 * Build a cell from a config (as in `cell.config`) and, optionally, its weights by parameter name.
 *
 * ```ts
 * const plain = cellFromConfig(cell.config, cellWeights(cell), { fused: false }); // tfjs steps
 * ```
 */
export function cellFromConfig(config: CellConfig, weights?: Weights, options: BuildOptions = {}): Cell {
  const kind = (config as { kind?: unknown })?.kind;
  const builder = typeof kind === 'string' ? builders.get(kind) : undefined;
  if (!builder) throw rxrnnError(ErrorCodes.UNKNOWN, 'cellFromConfig', 'config.kind', `one of ${cellKinds().join(', ')}`, describe(kind));
  return builder(config as CellConfig & Record<string, unknown>, weights, (c, w) => cellFromConfig(c, w, options), options);
}

// Builders take the config as options: every factory's config holds its options by the same names.
const opts = <T>(c: Record<string, unknown>, w: Weights | undefined) => ({ ...c, weights: w }) as unknown as T;
// The families with a fused path also take the build's `fused`.
const fusedOpts = <T>(c: Record<string, unknown>, w: Weights | undefined, o: BuildOptions) => opts<T>(o.fused === undefined ? c : { ...c, fused: o.fused }, w);
registerCellKind('rnn', (c, w, _b, o) => rnnCell(fusedOpts(c, w, o)));
registerCellKind('lstm', (c, w, _b, o) => lstmCell(fusedOpts({ ...c, projSize: c.projSize ?? undefined }, w, o)));
registerCellKind('gru', (c, w, _b, o) => gruCell(fusedOpts(c, w, o)));
registerCellKind('dense', (c, w, _b, o) => denseCell(fusedOpts(c, w, o)));
registerCellKind('embedding', (c, w) => embeddingCell(opts(c, w)));
registerCellKind('stack', (c, w, build) => {
  const layers = c.layers as CellConfig[];
  if (!Array.isArray(layers)) throw rxrnnError(ErrorCodes.FORMAT, 'cellFromConfig', 'config.layers', 'an array of cell configs', describe(layers));
  const built: Cell[] = [];
  try {
    layers.forEach((l, i) => built.push(build(l, subWeights(w, `layers.${i}.`))));
  } catch (e) {
    built.forEach((b) => b.dispose());
    throw e;
  }
  return stackCells(built, { dropout: (c.dropout as number) ?? 0 });
});

/** Every parameter of a cell as plain arrays, by name (for saving). */
export function cellWeights(cell: Cell): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [k, v] of Object.entries(cell.params)) out[k] = { shape: v.shape.slice(), data: (v as tf.Tensor).dataSync() as Float32Array };
  return out;
}

// LSTM variants (Greff et al. 2017; layer-normalised LSTM).
registerCellKind('lstm-variant', (c, w, _b, o) => lstmVariantCell(fusedOpts(c, w, o)));
registerCellKind('layernorm-lstm', (c, w) => layerNormLstmCell(opts(c, w)));

// More cell families (mut, typed, highway, residual, grid, regularise).
registerCellKind('mut', (c, w) => mutCell(opts<MutCellOptions>(c, w)));
registerCellKind('t-rnn', (c, w) => tRnnCell(opts<TRnnCellOptions>(c, w)));
registerCellKind('t-lstm', (c, w) => tLstmCell(opts<TGatedCellOptions>(c, w)));
registerCellKind('t-gru', (c, w) => tGruCell(opts<TGatedCellOptions>(c, w)));
registerCellKind('rhn', (c, w) => rhnCell(opts<RhnCellOptions>(c, w)));
registerCellKind('grid-lstm', (c, w) => gridLstmCell(opts<GridLstmCellOptions>(c, w)));
// Wrappers: the inner cell from `config.inner` and the weights under `inner.`; freed if the wrapper fails.
const wrapped = (c: Record<string, unknown>, w: Weights | undefined, build: (config: CellConfig, weights: Weights | undefined) => Cell, wrap: (inner: Cell) => Cell): Cell => {
  const inner = build(c.inner as CellConfig, subWeights(w, 'inner.'));
  try {
    return wrap(inner);
  } catch (e) {
    inner.dispose();
    throw e;
  }
};
registerCellKind('residual', (c, w, build) => wrapped(c, w, build, (inner) => residualCell(inner, { weights: w?.projection ? { projection: w.projection } : undefined })));
registerCellKind('variational-dropout', (c, w, build) => wrapped(c, w, build, (inner) => variationalDropout(inner, c as VariationalDropoutOptions)));
registerCellKind('zoneout', (c, w, build) => wrapped(c, w, build, (inner) => zoneout(inner, { h: c.h as number, c: c.c as number })));
