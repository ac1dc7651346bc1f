/**
 * Build packages/kernels/wasm/kernels.wasm from assembly/kernels.ts with the AssemblyScript compiler
 * installed from npm (no system compiler). The flags are fixed here so a rebuild is byte-identical;
 * `src/rebuild.test.ts` checks that the committed binary matches a fresh build.
 *
 *     npm run build:wasm -w @rxrnn/kernels        (or: npx tsx packages/kernels/scripts/build-wasm.ts)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export const SOURCE = here('../assembly/kernels.ts');
export const OUTPUT = here('../wasm/kernels.wasm');
export const ASC_FLAGS = ['-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--initialMemory', '16'];

/** Compile the kernels and return the .wasm bytes. */
export async function buildWasm(): Promise<Uint8Array> {
  let wasm: Uint8Array | null = null;
  const { error, stderr } = await asc.main([SOURCE, '--outFile', 'kernels.wasm', ...ASC_FLAGS], {
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith('.wasm')) wasm = typeof contents === 'string' ? new TextEncoder().encode(contents) : contents;
    },
  });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  if (!wasm) throw new Error('asc produced no .wasm');
  return wasm;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await buildWasm();
  writeFileSync(OUTPUT, bytes);
  console.log(`wrote ${OUTPUT} (${bytes.length} bytes)`);
}
