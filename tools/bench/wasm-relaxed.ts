/**
 * The two WebAssembly builds side by side: kernels.wasm (128-bit SIMD, multiply then add) against
 * kernels-relaxed.wasm (f32x4.relaxed_madd: one FMA where the CPU has it), on the bench's shapes, one
 * thread, interleaved round by round; median ms per call and the speed-up. Node 20 runs relaxed SIMD
 * only behind a V8 flag, which this script sets for itself (browsers and Node ≥ 22 need none).
 *
 *     npx tsx --conditions=@rxrnn/source tools/bench/wasm-relaxed.ts
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { KernelRuntime } from '@rxrnn/kernels';

setFlagsFromString('--experimental-wasm-relaxed-simd');
const wasm = (f: string) => new WebAssembly.Module(readFileSync(new URL(`../../packages/kernels/wasm/${f}`, import.meta.url)));
const builds = { 'kernels.wasm': new KernelRuntime(wasm('kernels.wasm')), 'kernels-relaxed.wasm': new KernelRuntime(wasm('kernels-relaxed.wasm')) };

function fill(rt: KernelRuntime, n: number, scale = 0.1): number {
  const p = rt.alloc(n);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (Math.sin(i * 12.9898) * 43758.5453) % 1 * scale;
  rt.write(p, a);
  return p;
}

type Job = (rt: KernelRuntime) => () => void;

/** C [M, N] = A [M, K] · B [K, N]. */
function gemm(rt: KernelRuntime, M: number, N: number, K: number): () => void {
  const [a, b, c] = [fill(rt, M * K), fill(rt, K * N), rt.alloc(M * N)];
  return () => rt.k.gemm(M, N, K, a, K, b, N, c, N, 0);
}

/** lstmForward over T steps from a zero state (no peepholes, no projection, nothing kept for a backward). */
function lstmForward(rt: KernelRuntime, T: number, B: number, X: number, H: number): () => void {
  const x = fill(rt, T * B * X, 1);
  const K = fill(rt, X * 4 * H), R = fill(rt, H * 4 * H), bias = fill(rt, 4 * H);
  const hs = rt.alloc((T + 1) * B * H), cs = rt.alloc((T + 1) * B * H), gates = rt.alloc(T * B * 4 * H), tanhc = rt.alloc(T * B * H);
  rt.write(hs, new Float32Array(B * H));
  rt.write(cs, new Float32Array(B * H));
  return () => rt.k.lstmForward(T, B, X, H, 0, x, K, R, bias, 0, hs, cs, gates, tanhc, 0);
}

const rows: [string, Job][] = [
  ['GEMM 32×1024×256 (a batch-32 LSTM step, H=256)', (rt) => gemm(rt, 32, 1024, 256)],
  ['GEMM 3200×1024×128 (input projection of T=100, B=32, X=128)', (rt) => gemm(rt, 3200, 1024, 128)],
  ['LSTM forward T=100 B=32 X=128 H=256', (rt) => lstmForward(rt, 100, 32, 128, 256)],
  ['LSTM step B=32 H=X=512', (rt) => lstmForward(rt, 1, 32, 512, 512)],
];

const median = (a: number[]) => a.slice().sort((x, y) => x - y)[a.length >> 1];
console.log(`node ${process.version}; isa: ${Object.entries(builds).map(([f, rt]) => `${f} → ${rt.info().isa}`).join(', ')}\n`);
console.log('| row | kernels.wasm (ms) | kernels-relaxed.wasm (ms) | speed-up |');
console.log('|---|---|---|---|');
for (const [name, job] of rows) {
  const fns = Object.values(builds).map((rt) => job(rt));
  const times: number[][] = fns.map(() => []);
  for (let round = 0; round < 7; round++) {
    fns.forEach((fn, i) => {
      fn(); // warm
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < 150) {
        fn();
        n++;
      }
      times[i].push((performance.now() - t0) / n);
    });
  }
  const [a, b] = times.map(median);
  console.log(`| ${name} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(a / b).toFixed(2)}× |`);
}
