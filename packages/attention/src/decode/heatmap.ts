/**
 * `alignmentHeatmapSpec`: the alignment matrix of a decoded output (source × target, as in Bahdanau et
 * al. 2014, Fig. 3) as a vega-lite spec: one rect per (target step i, source position j), shaded by α_ij.
 * A pure function (no vega import): render it with the repository's plotting path, vega-lite → SVG → PNG
 * (`vegaLiteToSvg` and `svgToPng` of @rxrnn/text; `npx tsx --conditions=@rxrnn/source tools/viz/alignment-heatmap.ts`).
 *
 * ```ts
 * const spec = alignmentHeatmapSpec(final.best.alignments, { source: ['le', 'chat', '</s>'], target: ['the', 'cat', '</s>'] });
 * ```
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

export interface HeatmapSpecOptions {
  /** Labels of the source positions (default: 0 … S−1). Repeated labels are kept apart. */
  source?: readonly string[];
  /** Labels of the target steps (default: 0 … T−1). */
  target?: readonly string[];
  title?: string;
  /** Size of one cell in pixels. Default 22. */
  cell?: number;
}

/** The vega-lite spec of an alignment heatmap: `alignments` is T rows (target steps) of S weights each. */
export function alignmentHeatmapSpec(alignments: readonly ArrayLike<number>[], options: HeatmapSpecOptions = {}): Record<string, unknown> {
  const fn = 'alignmentHeatmapSpec';
  if (!Array.isArray(alignments) || alignments.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'alignments', 'a non-empty array of alignment rows', describe(alignments));
  const S = alignments[0]?.length;
  if (!Number.isInteger(S) || S < 1) throw rxrnnError(ErrorCodes.SIZE, fn, 'alignments[0]', 'a row of ≥ 1 weights', describe(alignments[0]));
  alignments.forEach((row, i) => {
    if (!row || row.length !== S) throw rxrnnError(ErrorCodes.SIZE, fn, `alignments[${i}]`, `${S} weights (as row 0)`, describe(row));
  });
  const T = alignments.length;
  for (const [name, labels, n] of [['options.source', options.source, S], ['options.target', options.target, T]] as const) {
    if (labels !== undefined && labels.length !== n) throw rxrnnError(ErrorCodes.SIZE, fn, name, `${n} labels`, describe(labels));
  }
  // Unique axis keys (position-prefixed) so repeated words stay separate columns; the labels are shown.
  const src = Array.from({ length: S }, (_, j) => `${j}\u200b${options.source?.[j] ?? j}`);
  const tgt = Array.from({ length: T }, (_, i) => `${i}\u200b${options.target?.[i] ?? i}`);
  const values = alignments.flatMap((row, i) => Array.from(row, (w, j) => ({ source: src[j], target: tgt[i], weight: Number.isFinite(w) ? w : 0 })));
  const cell = options.cell ?? 22;
  const label = "split(datum.value, '\u200b')[1]";
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    data: { values },
    width: cell * S,
    height: cell * T,
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'source', type: 'ordinal', sort: src, title: 'source', axis: { labelExpr: label, labelAngle: -45, orient: 'top' } },
      y: { field: 'target', type: 'ordinal', sort: tgt, title: 'output', axis: { labelExpr: label } },
      color: { field: 'weight', type: 'quantitative', title: 'α', scale: { scheme: 'greys', domain: [0, 1] } },
      tooltip: [{ field: 'source' }, { field: 'target' }, { field: 'weight', format: '.3f' }],
    },
    background: 'white',
    padding: 8,
    config: { font: 'DejaVu Sans', view: { stroke: null } },
  };
}
