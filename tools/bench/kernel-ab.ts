/**
 * A/B of two builds of the kernels in one process: the exact kernel calls of a fused streaming step
 * (T = 1, B = 1 and 32, H = X = 128 and 512, weights packed for B ≥ 4 on native as the fused cells
 * do) and of the bench's training sequence (LSTM T = 100, B = 32, X = 128, H = 256, forward and
 * backward), alternating blocks of ~20 ms between the builds so that both see the same load from
 * the rest of the machine. Prints median (and 10th-percentile) µs per call and before / after.
 *
 * Each build is a folder holding rxrnn_kernels.node (the native addon), kernels.wasm and
 * kernels-relaxed.wasm, e.g. copies taken before and after a change:
 *
 *     mkdir -p /tmp/before && cp packages/kernels-native/build/Release/rxrnn_kernels.node packages/kernels/wasm/*.wasm /tmp/before
 *     npx tsx --conditions=@rxrnn/source tools/bench/kernel-ab.ts --before /tmp/before --after /tmp/after [--builds native,wasm] [--threads 1,2] [--rounds 15] [--only "B=1 "]
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { KernelRuntime, type NativeKernels } from '@rxrnn/kernels';

const o = new Command()
  .requiredOption('--before <dir>', 'folder with the first build (rxrnn_kernels.node, kernels.wasm)')
  .requiredOption('--after <dir>', 'folder with the second build')
  .option('--builds <list>', 'native, wasm (kernels.wasm) and/or wasm-relaxed (kernels-relaxed.wasm; needs the V8 flag, which this sets)', 'native,wasm')
  .option('--threads <list>', 'native kernel threads', '1,2')
  .option('--rounds <n>', 'blocks per build and call', '15')
  .option('--only <text>', 'only calls whose name contains this')
  .parse()
  .opts<{ before: string; after: string; builds: string; threads: string; rounds: string; only?: string }>();

const req = createRequire(import.meta.url);
const module = (dir: string, file: string) => new WebAssembly.Module(readFileSync(join(dir, file)));
if (o.builds.includes('wasm-relaxed')) (await import('node:v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
const runtimes = (build: string, dir: string): KernelRuntime => {
  if (build === 'native') return new KernelRuntime(module(dir, 'kernels.wasm'), { native: req(join(dir, 'rxrnn_kernels.node')) as NativeKernels });
  return new KernelRuntime(module(dir, build === 'wasm-relaxed' ? 'kernels-relaxed.wasm' : 'kernels.wasm'));
};

let seed = 7;
const rand = (n: number, scale = 0.1): Float32Array => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    a[i] = scale * (seed / 2 ** 31 - 1);
  }
  return a;
};
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)];

/** Set up one call's data in `rt` and return the call. */
type Setup = (rt: KernelRuntime) => () => void;
const put = (rt: KernelRuntime, data: Float32Array): number => {
  const p = rt.alloc(data.length);
  rt.write(p, data);
  return p;
};
/** The weights packed as the fused cells keep them for batched steps (native only; 0 for WebAssembly). */
const packed = (rt: KernelRuntime, K: number, N: number, p: number): number => {
  if (!rt.k.pack) return 0;
  const dst = rt.alloc(Math.ceil(N / 16) * 16 * K);
  rt.k.pack(K, N, p, N, dst);
  return dst;
};

const step = (kind: string, B: number, H: number): Setup => (rt) => {
  const X = H;
  const G = (kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1) * H;
  const [x, K, R, b, rb] = [put(rt, rand(B * X, 1)), put(rt, rand(X * G)), put(rt, rand(H * G)), put(rt, rand(G)), put(rt, rand(G))];
  const [hs, cs, gates, aux, hz] = [put(rt, rand(2 * B * H, 0.5)), put(rt, rand(2 * B * H, 0.5)), put(rt, rand(B * G)), put(rt, rand(B * H)), put(rt, rand(B * G))];
  const [Kp, Rp] = B >= 4 ? [packed(rt, X, G, K), packed(rt, H, G, R)] : [0, 0];
  if (kind === 'lstm') return () => rt.k.lstmForward(1, B, X, H, 0, x, K, R, b, 0, hs, cs, gates, 0, 0, Kp, Rp);
  if (kind === 'gru') return () => rt.k.gruForward(1, B, X, H, x, K, R, b, rb, 1, hs, gates, aux, hz, Kp, Rp);
  return () => rt.k.rnnForward(1, B, X, H, x, K, R, b, 0, hs, Kp, Rp);
};

const sequence = (backward: boolean): Setup => (rt) => {
  const [T, B, X, H] = [100, 32, 128, 256];
  const [G, TB] = [4 * H, T * B];
  const [x, K, R, b] = [put(rt, rand(TB * X, 1)), put(rt, rand(X * G)), put(rt, rand(H * G)), put(rt, rand(G))];
  const [hs, cs, gates, tc] = [put(rt, rand((T + 1) * B * H, 0.5)), put(rt, rand((T + 1) * B * H, 0.5)), put(rt, rand(TB * G)), put(rt, rand(TB * H))];
  if (!backward) return () => rt.k.lstmForward(T, B, X, H, 0, x, K, R, b, 0, hs, cs, gates, tc, 0);
  const [KT, RT, dys, dcT, dz] = [put(rt, rand(G * X)), put(rt, rand(G * H)), put(rt, rand(TB * H)), put(rt, rand(B * H)), put(rt, rand(TB * G))];
  const [dh, dc, dx, dK, dR, db] = [put(rt, rand(B * H)), put(rt, rand(B * H)), put(rt, rand(TB * X)), put(rt, rand(X * G)), put(rt, rand(H * G)), put(rt, rand(G))];
  return () => rt.k.lstmBackward(T, B, X, H, 0, x, KT, RT, 0, hs, cs, gates, tc, 0, dys, dcT, dz, dh, dc, 0, 0, dx, dK, dR, db, 0);
};

const calls: [string, Setup][] = [];
for (const kind of ['lstm', 'gru', 'rnn']) for (const H of [128, 512]) for (const B of [1, 32]) calls.push([`step ${kind} B=${B} H=X=${H}`, step(kind, B, H)]);
calls.push(['lstm sequence forward T=100 B=32 X=128 H=256', sequence(false)], ['lstm sequence backward, same shape', sequence(true)]);

console.log('| build | threads | call | before µs (median; p10) | after µs (median; p10) | before / after (medians) |\n|---|---|---|---|---|---|');
for (const build of o.builds.split(',')) {
  const [a, b] = [runtimes(build, o.before), runtimes(build, o.after)];
  for (const threads of build === 'native' ? o.threads.split(',').map(Number) : [1]) {
    if (build === 'native') [a, b].forEach((rt) => rt.setThreads(threads));
    for (const [name, setup] of calls) {
      if (o.only && !name.includes(o.only)) continue;
      const [fa, fb] = [setup(a), setup(b)];
      fa();
      fb();
      const t0 = performance.now();
      fa();
      const n = Math.max(1, Math.min(400, Math.round(20 / Math.max(performance.now() - t0, 0.001)))); // ~20 ms blocks
      for (let i = 0; i < 3 * n; i++) [fa, fb].forEach((f) => f()); // (untimed: lets the engine tier up both builds' code)
      const times: [number[], number[]] = [[], []];
      for (let r = 0; r < Number(o.rounds); r++) {
        for (const side of r % 2 ? [1, 0] : [0, 1]) {
          const f = side ? fb : fa;
          for (let i = 0; i < n; i++) {
            const s = performance.now();
            f();
            times[side].push((performance.now() - s) * 1000);
          }
        }
      }
      const [ma, mb] = times.map((t) => quantile(t, 0.5));
      const [pa, pb] = times.map((t) => quantile(t, 0.1));
      console.log(`| ${build} | ${threads} | ${name} | ${ma.toFixed(1)}; ${pa.toFixed(1)} | ${mb.toFixed(1)}; ${pb.toFixed(1)} | **${(ma / mb).toFixed(2)}** |`);
    }
  }
}
