// The committed wasm/kernels.wasm and wasm/kernels-relaxed.wasm are exactly what scripts/build-wasm.ts
// builds from assembly/kernels.ts with the AssemblyScript compiler from npm. Compiling takes ~20–30 s
// each on our 2-core machines; it is part of the default suite so CI always checks the committed binaries:
//
//     npx vitest run packages/kernels/src/rebuild.test.ts
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildWasm, OUTPUT, OUTPUT_RELAXED } from '../scripts/build-wasm.js';

describe('kernels.wasm', () => {
  it.each([
    ['kernels.wasm', false, OUTPUT],
    ['kernels-relaxed.wasm', true, OUTPUT_RELAXED],
  ] as const)('%s matches a fresh build of assembly/kernels.ts', async (_name, relaxed, output) => {
    const built = await buildWasm(relaxed);
    const committed = new Uint8Array(readFileSync(output));
    expect(built.length).toBe(committed.length);
    expect(Buffer.compare(Buffer.from(built), Buffer.from(committed))).toBe(0);
  }, 180_000);
});
