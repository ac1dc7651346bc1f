import { describe, it, expect } from 'vitest';
import { alignmentHeatmapSpec } from './heatmap.js';

describe('alignmentHeatmapSpec', () => {
  it('lays out one rect per (output step, source position), and vega renders it to SVG', async () => {
    const rows = [Float32Array.from([0.7, 0.2, 0.1]), Float32Array.from([0.1, 0.1, 0.8])];
    const spec = alignmentHeatmapSpec(rows, { source: ['a', 'a', '</s>'], target: ['x', '</s>'], title: 'test' });
    const values = (spec.data as { values: { source: string; target: string; weight: number }[] }).values;
    expect(values.length).toBe(6);
    expect(new Set(values.map((v) => v.source)).size).toBe(3); // repeated words stay apart
    expect(values.find((v) => v.target.endsWith('</s>') && v.source.endsWith('</s>'))!.weight).toBeCloseTo(0.8, 6);
    const vega = await import('vega');
    const { compile } = await import('vega-lite');
    const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThanOrEqual(6);
    expect(svg).toContain('test');
  });

  it('rejects ragged or empty alignments and wrong label counts with typed errors', () => {
    expect(() => alignmentHeatmapSpec([])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => alignmentHeatmapSpec([[1, 0], [1]])).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'alignments[1]' }));
    expect(() => alignmentHeatmapSpec([[1, 0]], { source: ['a'] })).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.source' }));
  });
});
