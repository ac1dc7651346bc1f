// The committed wasm/kernels.wasm is exactly what scripts/build-wasm.ts builds from
// assembly/kernels.ts with the AssemblyScript compiler from npm. Compiling takes ~20–30 s on our
// 2-core machines; it is part of the default suite so CI always checks the committed binary:
//
//     npx vitest run packages/kernels/src/rebuild.test.ts
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildWasm, OUTPUT } from '../scripts/build-wasm.js';

describe('kernels.wasm', () => {
  it('matches a fresh build of assembly/kernels.ts', async () => {
    const built = await buildWasm();
    const committed = new Uint8Array(readFileSync(OUTPUT));
    expect(built.length).toBe(committed.length);
    expect(Buffer.compare(Buffer.from(built), Buffer.from(committed))).toBe(0);
  }, 180_000);
});
