/**
 * Build packages/kernels/wasm/kernels.wasm (128-bit SIMD) and wasm/kernels-relaxed.wasm (the same
 * source with relaxed SIMD: fused multiply-adds in the GEMMs) from assembly/kernels.ts with the
 * AssemblyScript compiler installed from npm (no system compiler). The flags are fixed here so a
 * rebuild is byte-identical; `src/rebuild.test.ts` checks that the committed binaries match a fresh build.
 *
 *     npm run build:wasm -w @rxrnn/kernels        (or: npx tsx packages/kernels/scripts/build-wasm.ts)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export const SOURCE = here('../assembly/kernels.ts');
export const OUTPUT = here('../wasm/kernels.wasm');
export const OUTPUT_RELAXED = here('../wasm/kernels-relaxed.wasm');
export const ASC_FLAGS = ['-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--initialMemory', '16'];
export const ASC_FLAGS_RELAXED = ['-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd,relaxed-simd', '--initialMemory', '16'];

/** Compile the kernels and return the .wasm bytes (`relaxed`: the relaxed-SIMD build). */
export async function buildWasm(relaxed = false): Promise<Uint8Array> {
  let wasm: Uint8Array | null = null;
  const { error, stderr } = await asc.main([SOURCE, '--outFile', 'kernels.wasm', ...(relaxed ? ASC_FLAGS_RELAXED : ASC_FLAGS)], {
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith('.wasm')) wasm = typeof contents === 'string' ? new TextEncoder().encode(contents) : contents;
    },
  });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  if (!wasm) throw new Error('asc produced no .wasm');
  return wasm;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [relaxed, out] of [[false, OUTPUT], [true, OUTPUT_RELAXED]] as const) {
    const bytes = await buildWasm(relaxed);
    writeFileSync(out, bytes);
    console.log(`wrote ${out} (${bytes.length} bytes)`);
  }
}
