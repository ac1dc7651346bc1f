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
  width?: number;
  height?: number;
}

/** Render series as a vega-lite line chart; returns the SVG text. */
export async function lineChartSvg(series: LineSeries[], o: LineChartOptions): Promise<string> {
  const values = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y) && (!o.logY || p.y > 0)).map((p) => ({ x: p.x, y: p.y, series: s.name })));
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title,
    width: o.width ?? 560,
    height: o.height ?? 300,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: false, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: o.xTitle },
      y: { field: 'y', type: 'quantitative', title: o.yTitle, scale: o.logY ? { type: 'log' } : { zero: false }, axis: o.logY ? { format: '.0e' } : {} },
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 400, orient: 'top-right' } },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Write `<base>.svg` and `<base>.png` for the chart. */
export async function writeLineChart(base: string, series: LineSeries[], o: LineChartOptions): Promise<{ svg: string; png: string }> {
  const svg = await lineChartSvg(series, o);
  writeFileSync(base + '.svg', svg);
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
  writeFileSync(base + '.png', png);
  return { svg: base + '.svg', png: base + '.png' };
}
