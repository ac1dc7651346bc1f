// describe() and arrayShape() see client data: they must stay short and never exhaust the stack.
import { describe as suite, it, expect } from 'vitest';
import { describe, arrayShape } from './index.js';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

suite('describe and arrayShape on hostile values', () => {
  it('an array nested 500,000 levels deep is described, not a stack overflow', () => {
    const deep = nested(500_000);
    expect(describe(deep)).toBe('an array nested deeper than 32 levels');
    expect(arrayShape(deep)).toBeNull();
    expect(describe([0, deep])).toBe('an array nested deeper than 32 levels');
    expect(describe([[1, 2], [3]])).toBe('a ragged array of length 2');
    expect(describe(nested(32))).toBe(`an array of shape [${[...new Array(31).fill(1), 0].join(', ')}]`);
  });

  it('long strings and shapes are cut short', () => {
    expect(describe('x'.repeat(900_000))).toBe(`the string "${'x'.repeat(40)}…"`);
    expect(describe({ shape: new Array(1000).fill(2), dtype: 'float32' })).toBe('a float32 tensor of shape [2, 2, 2, 2, 2, 2, 2, 2, …]');
  });
});
