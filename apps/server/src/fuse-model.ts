/**
 * Serve models on the fused WebAssembly kernels of @rxrnn/kernels where they apply: a stack's
 * recurrent layers (LSTM, GRU, RNN) are rebuilt as fused cells, the rest (embedding, dense, cells
 * the kernels do not cover) keep their tfjs step. Same parameters, names, states and snapshots;
 * outputs equal the tfjs step's within float32 round-off (tested in @rxrnn/kernels).
 */
import type { Cell, CellConfig } from '@rxrnn/core';
import { cellFromConfig, cellWeights, stackCells, subWeights } from '@rxrnn/cells';
import { fuseCell } from '@rxrnn/kernels';

export interface FusedModel {
  cell: Cell;
  /** How many layers run fused, of how many. */
  fusedLayers: number;
  layers: number;
}

/** Take ownership of `cell` and return it with its recurrent layers fused. */
export function fuseModel(cell: Cell): FusedModel {
  const cfg = cell.config as CellConfig & { layers?: CellConfig[]; dropout?: number };
  if (cfg.kind !== 'stack' || !Array.isArray(cfg.layers)) {
    const f = fuseCell(cell);
    return { cell: f, fusedLayers: f.fused ? 1 : 0, layers: 1 };
  }
  const weights = cellWeights(cell);
  const built: Cell[] = [];
  let fusedLayers = 0;
  try {
    cfg.layers.forEach((layer, i) => {
      const f = fuseCell(cellFromConfig(layer, subWeights(weights, `layers.${i}.`)));
      if (f.fused) fusedLayers++;
      built.push(f);
    });
  } catch (e) {
    built.forEach((b) => b.dispose());
    throw e;
  }
  cell.dispose();
  return { cell: stackCells(built, { dropout: cfg.dropout ?? 0 }), fusedLayers, layers: built.length };
}
