/**
 * Cell-activation heatmaps over text (Karpathy, Johnson & Fei-Fei 2016, Fig. 2): each character
 * coloured by one cell's tanh(c_t) after reading it, red for −1 through white for 0 to blue for +1.
 * Two renderings of the same thing: self-contained HTML (one escaped `<span>` per character, the
 * value in its tooltip) and SVG (a fixed grid of monospace cells, for rasterising to PNG).
 * Pure strings: no DOM, no fs.
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

/** The paper's colour for a value in [−1, 1]: red (−1) → white (0) → blue (+1); clipped outside. */
export function heatmapColor(value: number): string {
  const v = Number.isFinite(value) ? Math.max(-1, Math.min(1, value)) : 0;
  const a = Math.abs(v);
  const fade = Math.round(255 * (1 - 0.85 * a)); // keep the text readable at ±1
  return v < 0 ? `rgb(255,${fade},${fade})` : `rgb(${fade},${fade},255)`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML/XML content and attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** How a character is shown: newline as ↵, tab as →, other control characters as U+FFFD. */
function shown(c: string): string {
  if (c === '\n') return '↵';
  if (c === '\t') return '→';
  if (c === '\r') return '␍';
  const cp = c.codePointAt(0)!;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return '\uFFFD';
  return c;
}

export interface HeatmapOptions {
  /** A heading (escaped). */
  title?: string;
  /** A second line under the heading (escaped). */
  subtitle?: string;
}

function checkPair(fn: string, chars: readonly string[], values: ArrayLike<number>): void {
  if (!Array.isArray(chars) || chars.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'chars', 'a non-empty array of characters', describe(chars));
  if (!values || values.length !== chars.length) throw rxrnnError(ErrorCodes.SIZE, fn, 'values', `${chars.length} values (one per character)`, describe(values));
}

/**
 * The heatmap as an HTML fragment: a `<div class="rxrnn-heatmap">` holding exactly one `<span>`
 * per character (a newline's span shows ↵ and is followed by a line break).
 */
export function heatmapFragment(chars: readonly string[], values: ArrayLike<number>, options: HeatmapOptions = {}): string {
  checkPair('heatmapFragment', chars, values);
  const parts: string[] = [];
  if (options.title) parts.push(`<h3>${escapeHtml(options.title)}</h3>`);
  if (options.subtitle) parts.push(`<p class="sub">${escapeHtml(options.subtitle)}</p>`);
  parts.push('<div class="rxrnn-heatmap">');
  for (let t = 0; t < chars.length; t++) {
    const c = chars[t];
    const v = values[t];
    const tip = `t=${t} ${JSON.stringify(c)} ${Number.isFinite(v) ? v.toFixed(3) : String(v)}`;
    parts.push(`<span style="background:${heatmapColor(v)}" title="${escapeHtml(tip)}">${escapeHtml(shown(c))}</span>`);
    if (c === '\n') parts.push('<br>');
  }
  parts.push('</div>');
  return parts.join('');
}

/** CSS for {@link heatmapFragment}. */
export const HEATMAP_CSS = `.rxrnn-heatmap{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:14px;line-height:1.5;white-space:pre-wrap;word-break:break-all;max-width:90ch}
.rxrnn-heatmap span{padding:1px 0}.sub{color:#555;margin:0 0 6px}`;

/** A self-contained HTML document showing one heatmap. */
export function heatmapHtml(chars: readonly string[], values: ArrayLike<number>, options: HeatmapOptions = {}): string {
  const body = heatmapFragment(chars, values, options);
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title ?? 'cell activation')}</title><style>body{font-family:sans-serif;margin:16px}${HEATMAP_CSS}</style></head><body>${body}</body></html>\n`;
}

export interface HeatmapLayoutOptions {
  /** Characters per line before wrapping. Default 80. */
  cols?: number;
  /** Width of a character cell (px). Default 9. */
  cellWidth?: number;
  /** Height of a line (px). Default 18. */
  lineHeight?: number;
  /** Margin (px). Default 10. */
  padding?: number;
  /** Lines of heading above the text (each `lineHeight + 4` px). Default 0. */
  headerLines?: number;
}

export interface HeatmapLayout {
  width: number;
  height: number;
  /** Top-left corner of character t's cell. */
  x: Float32Array;
  y: Float32Array;
  cellWidth: number;
  lineHeight: number;
  padding: number;
  header: number;
}

/** Where each character goes on the grid: wrap at `cols` and after every newline. Integer sizes. */
export function heatmapLayout(chars: readonly string[], options: HeatmapLayoutOptions = {}): HeatmapLayout {
  const cols = options.cols ?? 80;
  const cw = options.cellWidth ?? 9;
  const lh = options.lineHeight ?? 18;
  const pad = options.padding ?? 10;
  const header = (options.headerLines ?? 0) * (lh + 4);
  if (!Number.isInteger(cols) || cols < 1) throw rxrnnError(ErrorCodes.ARGUMENT, 'heatmapLayout', 'options.cols', 'a positive integer', describe(cols));
  const x = new Float32Array(chars.length);
  const y = new Float32Array(chars.length);
  let col = 0;
  let row = 0;
  let widest = 0;
  for (let t = 0; t < chars.length; t++) {
    if (col === cols) {
      col = 0;
      row++;
    }
    x[t] = pad + col * cw;
    y[t] = pad + header + row * lh;
    col++;
    widest = Math.max(widest, col);
    if (chars[t] === '\n' && t < chars.length - 1) {
      col = 0;
      row++;
    }
  }
  return { width: Math.ceil(2 * pad + Math.max(widest, 1) * cw), height: Math.ceil(2 * pad + header + (row + 1) * lh), x, y, cellWidth: cw, lineHeight: lh, padding: pad, header };
}

/** The heatmap as an SVG document (monospace grid; sizes from {@link heatmapLayout}). */
export function heatmapSvg(chars: readonly string[], values: ArrayLike<number>, options: HeatmapOptions & HeatmapLayoutOptions = {}): string {
  checkPair('heatmapSvg', chars, values);
  const headerLines = (options.title ? 1 : 0) + (options.subtitle ? 1 : 0);
  const L = heatmapLayout(chars, { ...options, headerLines });
  const fontSize = Math.round(L.lineHeight * 0.78);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}">`,
    `<rect width="${L.width}" height="${L.height}" fill="white"/>`,
  ];
  let hy = L.padding;
  for (const [text, size, fill] of [[options.title, fontSize + 1, '#000'], [options.subtitle, fontSize - 1, '#555']] as const) {
    if (!text) continue;
    out.push(`<text x="${L.padding}" y="${hy + L.lineHeight - 4}" font-family="DejaVu Sans" font-size="${size}" fill="${fill}">${escapeHtml(text)}</text>`);
    hy += L.lineHeight + 4;
  }
  const rects: string[] = [];
  const glyphs: string[] = [];
  for (let t = 0; t < chars.length; t++) {
    const x = L.x[t];
    const y = L.y[t];
    rects.push(`<rect x="${x}" y="${y}" width="${L.cellWidth}" height="${L.lineHeight}" fill="${heatmapColor(values[t])}"/>`);
    const c = shown(chars[t]);
    if (c !== ' ') glyphs.push(`<text x="${x + L.cellWidth / 2}" y="${y + L.lineHeight - 5}"${chars[t] === '\n' ? ' fill="#888"' : ''}>${escapeHtml(c)}</text>`);
  }
  out.push(`<g shape-rendering="crispEdges">${rects.join('')}</g>`);
  out.push(`<g font-family="DejaVu Sans Mono" font-size="${fontSize}" text-anchor="middle" fill="#000">${glyphs.join('')}</g>`);
  out.push('</svg>\n');
  return out.join('');
}
