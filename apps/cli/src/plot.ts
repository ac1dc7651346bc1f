/**
 * Line charts as files: a vega-lite spec → vega → SVG (vega's headless renderer), then PNG with
 * resvg. Used for loss curves next to checkpoints and for the figures in docs/.
 */
import { writeFileSync } from 'node:fs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChartOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  /** Log-scale y axis. */
  logY?: boolean;
  /** Start the (linear) y axis at zero, so that a flat series looks flat. Default false. */
  zeroY?: boolean;
  /** Counts: integer ticks, and an axis up to at least 1 (a run of zeros is drawn as such). */
  countY?: boolean;
  width?: number;
  height?: number;
}

/** The vega-lite spec of one line chart (a unit spec, without `$schema`). */
function lineSpec(series: LineSeries[], o: LineChartOptions): Record<string, unknown> {
  const values = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y) && (!o.logY || p.y > 0)).map((p) => ({ x: p.x, y: p.y, series: s.name })));
  return {
    title: o.title,
    width: o.width ?? 560,
    height: o.height ?? 300,
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

/** Render a vega-lite spec to SVG with vega's headless renderer. */
async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Write `<base>.svg` and `<base>.png` (twice the SVG's size). */
function writeSvgPng(base: string, svg: string): { svg: string; png: string } {
  writeFileSync(base + '.svg', svg);
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
  writeFileSync(base + '.png', png);
  return { svg: base + '.svg', png: base + '.png' };
}

/** Render series as a vega-lite line chart; returns the SVG text. */
export function lineChartSvg(series: LineSeries[], o: LineChartOptions): Promise<string> {
  return specToSvg({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', background: 'white', ...lineSpec(series, o) } as TopLevelSpec);
}

/** Write `<base>.svg` and `<base>.png` for the chart. */
export async function writeLineChart(base: string, series: LineSeries[], o: LineChartOptions): Promise<{ svg: string; png: string }> {
  return writeSvgPng(base, await lineChartSvg(series, o));
}

/**
 * Write `<base>.svg` and `<base>.png`: line charts stacked one above the other (shared width, each
 * with its own y axis), under one title. For several measures over the same x (a soak run's RSS,
 * tensors, latency and errors over time).
 */
export async function writeLineChartPanels(base: string, title: string, panels: { series: LineSeries[]; options: LineChartOptions }[]): Promise<{ svg: string; png: string }> {
  const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', background: 'white', title, vconcat: panels.map((p) => lineSpec(p.series, { height: 160, ...p.options })), resolve: { scale: { color: 'independent' } } };
  return writeSvgPng(base, await specToSvg(spec as unknown as TopLevelSpec));
}
