/**
 * Line charts as files: series of (x, y) points → a vega-lite spec → SVG → PNG, through the one
 * rendering path of render.ts (`vegaLiteToSvg`, `svgToPng`). Used for char-rnn loss curves next to
 * checkpoints (`rxrnn train`, `rxrnn plot`) and for figures in docs/ (tools/train/gradient-flow.ts).
 *
 * ```ts
 * await writeLineChart('docs/figures/loss', [{ name: 'train', points: [{ x: 1, y: 3.2 }, { x: 2, y: 2.9 }] }],
 *   { title: 'loss', xTitle: 'update', yTitle: 'bits per character' }); // loss.svg, loss.png (2× zoom)
 * ```
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { vegaLiteToSvg, svgToPng } from './render.js';

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChartOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  /** Log-scale y axis (points with y ≤ 0 are left out). */
  logY?: boolean;
  /** Start the (linear) y axis at zero, so that a flat series looks flat. Default false. */
  zeroY?: boolean;
  /** Counts: integer ticks, and an axis up to at least 1 (a run of zeros is drawn as such). */
  countY?: boolean;
  /** Default 560. */
  width?: number;
  /** Default 300. */
  height?: number;
}

/** The vega-lite spec of a line chart, one coloured line per series; non-finite points are left out. */
export function lineChartSpec(series: readonly LineSeries[], o: LineChartOptions): Record<string, unknown> {
  if (!Array.isArray(series) || series.some((s) => !Array.isArray(s?.points))) throw rxrnnError(ErrorCodes.ARGUMENT, 'lineChartSpec', 'series', 'an array of { name, points }', describe(series));
  const values = (series as readonly LineSeries[]).flatMap((s) => s.points.filter((p) => Number.isFinite(p.y) && (!o.logY || p.y > 0)).map((p) => ({ x: p.x, y: p.y, series: s.name })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title,
    width: o.width ?? 560,
    height: o.height ?? 300,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: false, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: o.xTitle },
      y: {
        field: 'y',
        type: 'quantitative',
        title: o.yTitle,
        scale: o.logY ? { type: 'log' } : o.countY ? { domainMin: 0, domainMax: Math.max(1, ...values.map((v) => v.y)) } : { zero: o.zeroY ?? false },
        axis: o.logY ? { format: '.0e' } : o.countY ? { format: 'd', tickMinStep: 1 } : {},
      },
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 400, orient: 'top-right' } },
    },
  };
}

/** The line chart as SVG text. */
export function lineChartSvg(series: readonly LineSeries[], o: LineChartOptions): Promise<string> {
  return vegaLiteToSvg(lineChartSpec(series, o));
}

/** Write `<base>.svg` and `<base>.png` (at 2× zoom); returns their paths. */
async function writeSvgPng(base: string, svg: string): Promise<{ svg: string; png: string }> {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(base + '.svg', svg);
  writeFileSync(base + '.png', await svgToPng(svg, { zoom: 2 }));
  return { svg: base + '.svg', png: base + '.png' };
}

/** Write `<base>.svg` and `<base>.png` (at 2× zoom) for the chart; returns their paths. */
export async function writeLineChart(base: string, series: readonly LineSeries[], o: LineChartOptions): Promise<{ svg: string; png: string }> {
  return writeSvgPng(base, await lineChartSvg(series, o));
}

/**
 * Write `<base>.svg` and `<base>.png`: line charts stacked one above the other (shared width, each
 * with its own y axis), under one title. For several measures over the same x (a soak run's RSS,
 * tensors, latency and errors over time).
 */
export async function writeLineChartPanels(base: string, title: string, panels: readonly { series: readonly LineSeries[]; options: LineChartOptions }[]): Promise<{ svg: string; png: string }> {
  const unit = (p: (typeof panels)[number]) => {
    const { $schema: _s, background: _b, ...spec } = lineChartSpec(p.series, { height: 160, ...p.options });
    return spec;
  };
  const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', background: 'white', title, vconcat: panels.map(unit), resolve: { scale: { color: 'independent' } } };
  return writeSvgPng(base, await vegaLiteToSvg(spec));
}
