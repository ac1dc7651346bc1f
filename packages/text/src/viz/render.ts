/**
 * Rendering to files' bytes: any vega-lite spec → SVG (vega `View`, `renderer: 'none'`, `toSVG()`)
 * and any SVG → PNG with @resvg/resvg-js — the repository's one plotting path (line charts in
 * line-chart.ts, the variant study's plot in @rxrnn/experiments use it) — and the gate-saturation
 * scatter plot of the paper (Fig. 3: x = fraction of time left-saturated, y = fraction
 * right-saturated, one point per unit, coloured by layer; one panel per gate).
 *
 * vega, vega-lite and @resvg/resvg-js are optional peer dependencies of @rxrnn/text, loaded only
 * when these functions run (so the rest of the package stays light and browser-friendly).
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { GATE_NAMES, type GateSaturation } from './saturation.js';

/** The vega-lite spec of the saturation scatter plot. */
export function saturationSpec(stats: readonly GateSaturation[], options: { title?: string } = {}): Record<string, unknown> {
  if (!Array.isArray(stats) || stats.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, 'saturationSpec', 'stats', 'the non-empty result of gateSaturation', describe(stats));
  const order = ['i', 'f', 'o', 'r', 'z'];
  const gates = [...new Set(stats.map((s) => s.gate))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const values = stats.flatMap((s) => Array.from(s.left, (left, unit) => ({ layer: `layer ${s.layer}`, gate: GATE_NAMES[s.gate] ?? s.gate, unit, left, right: s.right[unit] })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    data: { values },
    facet: { column: { field: 'gate', type: 'nominal', title: null, sort: gates.map((g) => GATE_NAMES[g] ?? g), header: { labelFontSize: 13 } } },
    spec: {
      width: 220,
      height: 220,
      layer: [
        { mark: { type: 'rule', strokeDash: [4, 4], color: '#bbb' }, data: { values: [{ a: 0, b: 1, c: 1, d: 0 }] }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' }, x2: { field: 'c' }, y2: { field: 'd' } } },
        {
          mark: { type: 'circle', size: 22, opacity: 0.7 },
          encoding: {
            x: { field: 'left', type: 'quantitative', title: 'fraction left-saturated (< 0.1)', scale: { domain: [0, 1] } },
            y: { field: 'right', type: 'quantitative', title: 'fraction right-saturated (> 0.9)', scale: { domain: [0, 1] } },
            color: { field: 'layer', type: 'nominal', title: null },
            tooltip: [{ field: 'layer' }, { field: 'unit' }, { field: 'left', format: '.3f' }, { field: 'right', format: '.3f' }],
          },
        },
      ],
    },
    config: { font: 'DejaVu Sans', view: { stroke: '#ddd' } },
  };
}

/** Render a vega-lite spec to SVG with vega's headless `View` (`renderer: 'none'`). */
export async function vegaLiteToSvg(spec: Record<string, unknown>): Promise<string> {
  const vega = await import('vega');
  const { compile } = await import('vega-lite');
  const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The saturation scatter plot as SVG. */
export function saturationSvg(stats: readonly GateSaturation[], options: { title?: string } = {}): Promise<string> {
  return vegaLiteToSvg(saturationSpec(stats, options));
}

export interface SvgToPngOptions {
  /** Scale factor of the raster (2 draws every SVG unit as 2 × 2 pixels). Default 1: natural size. */
  zoom?: number;
}

/** Rasterise an SVG document to PNG bytes (white background, system fonts; natural size unless `zoom`). */
export async function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  if (typeof svg !== 'string' || !svg.includes('<svg')) throw rxrnnError(ErrorCodes.ARGUMENT, 'svgToPng', 'svg', 'an SVG document', describe(svg));
  const zoom = options.zoom ?? 1;
  if (!(zoom > 0 && Number.isFinite(zoom))) throw rxrnnError(ErrorCodes.ARGUMENT, 'svgToPng', 'options.zoom', 'a positive number', describe(zoom));
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(svg, {
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', monospaceFamily: 'DejaVu Sans Mono' },
    ...(zoom !== 1 ? { fitTo: { mode: 'zoom' as const, value: zoom } } : {}),
  });
  return new Uint8Array(r.render().asPng());
}

/** Width and height of a PNG from its IHDR chunk; throws if the bytes are not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!png || png.length < 24 || sig.some((b, i) => png[i] !== b) || String.fromCharCode(...png.subarray(12, 16)) !== 'IHDR') {
    throw rxrnnError(ErrorCodes.FORMAT, 'pngSize', 'png', 'PNG bytes (signature + IHDR)', describe(png));
  }
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}
