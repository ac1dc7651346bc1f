// The kernels' entry points are declared once (src/wasm/entry-points.ts); the bindings are generated
// from that table (scripts/gen-bindings.ts) or checked against it here:
// - the generated TypeScript interface, AssemblyScript entry file and C header are up to date;
// - every AssemblyScript implementation exports exactly the declared signature (names, order, kinds);
// - both committed .wasm builds export exactly the declared entry points, with the declared arity.
// The C definitions are checked by the compiler against the generated prototypes.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { describe, it, expect } from 'vitest';
import { generateBindings } from '../scripts/gen-bindings.js';
import { ENTRY_POINTS, entryArgs, type EntryPoint } from './wasm/entry-points.js';

const assembly = (module: string) => readFileSync(new URL(`../assembly/${module}.ts`, import.meta.url), 'utf8');

/** `export function name(a: i32, b: usize, …): void` in AssemblyScript source → its parameters, or null. */
function asSignature(source: string, name: string): { name: string; type: string }[] | null {
  const m = new RegExp(`^export function ${name}\\(([^)]*)\\): void \\{`, 'm').exec(source);
  if (!m) return null;
  return m[1]
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const [n, t] = p.split(':').map((s) => s.trim());
      return { name: n, type: t };
    });
}

const AS_TYPE = { int: 'i32', in: 'usize', out: 'usize' } as const;
const wasmEntryPoints = (): EntryPoint[] => ENTRY_POINTS.filter((e) => !e.nativeOnly);

describe('kernel bindings', () => {
  it('the generated files are up to date with src/wasm/entry-points.ts (else: npm run gen:bindings -w @rxrnn/kernels)', () => {
    for (const [file, text] of generateBindings()) expect(readFileSync(file, 'utf8'), file).toBe(text);
  });

  it('declares each entry point once, with well-formed arguments', () => {
    const names = ENTRY_POINTS.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const e of ENTRY_POINTS) {
      const args = entryArgs(e); // (throws on a malformed signature)
      expect(new Set(args.map((a) => a.name)).size, `${e.name}: argument names`).toBe(args.length);
    }
    expect(() => entryArgs({ ...ENTRY_POINTS[0], signature: 'int n, float x' })).toThrow(/cannot read argument 'float x'/);
    expect(() => entryArgs({ ...ENTRY_POINTS[0], signature: 'native in a, int n' })).toThrow(/native-only arguments must come last/);
  });

  it.each(wasmEntryPoints().map((e) => [e.name, e] as const))('AssemblyScript %s has the declared signature', (_name, e) => {
    const params = asSignature(assembly(e.module), e.name);
    expect(params, `assembly/${e.module}.ts exports ${e.name}`).not.toBeNull();
    const want = entryArgs(e)
      .filter((a) => !a.native)
      .map((a) => ({ name: a.name, type: AS_TYPE[a.kind] }));
    expect(params).toEqual(want);
  });

  it('the native-only entry points are not in the AssemblyScript source', () => {
    for (const e of ENTRY_POINTS.filter((x) => x.nativeOnly)) expect(asSignature(assembly(e.module), e.name)).toBeNull();
  });

  it.each(['kernels.wasm', 'kernels-relaxed.wasm'])('%s exports exactly the declared entry points, with their arity', (file) => {
    setFlagsFromString('--experimental-wasm-relaxed-simd'); // (Node 20 validates relaxed SIMD only behind it)
    const module = new WebAssembly.Module(readFileSync(new URL(`../wasm/${file}`, import.meta.url)));
    const names = WebAssembly.Module.exports(module).map((x) => x.name);
    expect(names.sort()).toEqual([...wasmEntryPoints().map((e) => e.name), 'heapBase', 'memory', 'relaxedSimd'].sort());
    const exports = new WebAssembly.Instance(module, {}).exports as Record<string, unknown>;
    for (const e of wasmEntryPoints()) expect((exports[e.name] as (...a: number[]) => void).length, e.name).toBe(entryArgs(e).filter((a) => !a.native).length);
  });
});
