import { describe, it, expect } from 'vitest';
import { alignmentSpec, alignmentSvg } from './alignment.js';

describe('alignment heatmap', () => {
  it('draws one cell per (output, source) pair through the vega-lite path', async () => {
    const a = { source: [...'2 Mar'], output: ['0', '3', '</s>'], weights: [[0.1, 0.2, 0.3, 0.2, 0.2], [0, 0, 0.5, 0.5, 0], [1, 0, 0, 0, 0]] };
    const spec = alignmentSpec(a) as { data: { values: unknown[] }; width: number };
    expect(spec.data.values).toHaveLength(15);
    expect(spec.width).toBe(110);
    const svg = await alignmentSvg(a);
    expect(svg).toContain('<svg');
    expect(svg).toContain('␣'); // the space is labelled
    expect(() => alignmentSpec({ ...a, weights: [[1]] })).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
  });
});
