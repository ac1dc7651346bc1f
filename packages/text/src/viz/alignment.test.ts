import { describe, it, expect } from 'vitest';
import { alignmentSvg } from './alignment.js';

describe('alignment heatmap', () => {
  it('draws one cell per (output, source) pair through the vega-lite path, spaces labelled', async () => {
    const a = { source: [...'2 Mar'], output: ['0', '3', '</s>'], weights: [[0.1, 0.2, 0.3, 0.2, 0.2], [0, 0, 0.5, 0.5, 0], [1, 0, 0, 0, 0]] };
    const svg = await alignmentSvg(a);
    expect(svg).toContain('<svg');
    expect(svg.match(/aria-roledescription="rect mark"/g)).toHaveLength(15); // 3 outputs × 5 source characters
    expect(svg).toContain('␣'); // the space is labelled
    await expect(async () => alignmentSvg({ ...a, weights: [[1]] })).rejects.toThrow(expect.objectContaining({ code: 'E_SIZE' }));
  });
});
