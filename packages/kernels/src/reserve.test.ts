// The reserve space a forward leaves in kernel memory for its backward: given back once, and unusable
// after, on both runtimes (packages/cells/src/fused/reserve.test.ts: the sequence ops and affine hand it back).
import { describe, it, expect } from 'vitest';
import { kernels, kernelsInfo, Reserve } from './index.js';

const backends = kernelsInfo({ native: true })?.backend === 'native' ? [true, false] : [false];

describe.each(backends)('Reserve (native: %s)', (native) => {
  it('holds its blocks until released, once; ptrs after release is a clear error', () => {
    const rt = kernels({ native })!;
    const before = rt.bytesInUse();
    const r = new Reserve(rt, [10, 0, 1000]);
    expect(r.ptrs).toHaveLength(3);
    expect(rt.bytesInUse()).toBeGreaterThanOrEqual(before + 4 * 1010);
    r.release();
    r.release();
    expect(rt.bytesInUse()).toBe(before);
    expect(() => r.ptrs).toThrow(/Reserve\.ptrs.*already released/);
  });
});

