// The raw kernels against plain JavaScript: GEMM (both forms, odd sizes, strides, accumulate),
// transpose, column sums and the vectorised activations; for both WebAssembly builds (kernels.wasm,
// and kernels-relaxed.wasm with fused multiply-adds) and for the native addon (@rxrnn/kernels-native)
// on 1 and 3 threads.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { createRequire } from 'node:module';
import { describe, it, expect } from 'vitest';
import { expectClose } from '@rxrnn/testing';
import { KernelRuntime, kernelsInfo, loadKernels, type NativeKernels } from './index.js';

const module = new WebAssembly.Module(readFileSync(new URL('../wasm/kernels.wasm', import.meta.url)));
// Node 20's V8 runs relaxed SIMD only behind a flag (browsers and Node ≥ 22 without one); this test
// process turns it on to check the relaxed build here too (browser.test.ts in @rxrnn/cells runs it in Chromium).
setFlagsFromString('--experimental-wasm-relaxed-simd');
const relaxedModule = new WebAssembly.Module(readFileSync(new URL('../wasm/kernels-relaxed.wasm', import.meta.url)));
const { native, reason } = createRequire(import.meta.url)('@rxrnn/kernels-native') as { native: NativeKernels | null; reason: string | null };

function rand(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

describe('native kernels', () => {
  // npm ci builds the addon with node-gyp (g++ and Node's headers are on our machines): it must
  // have loaded here, or every other test would silently run the WebAssembly kernels only.
  it.skipIf(process.env.RXRNN_NATIVE === 'off' || process.arch !== 'x64')('are built and used by default on x86-64', () => {
    expect(reason).toBeNull();
    expect(native?.isa).toBe('avx2+fma');
    expect(kernelsInfo()?.backend).toBe('native');
  });

  it('reject a bad call with a clear error instead of crashing', () => {
    if (!native) return;
    expect(() => native.run(new ArrayBuffer(64), 99, 0, 1)).toThrow(/argument 'fn'/);
    expect(() => native.run(new ArrayBuffer(64), 1, 60, 1)).toThrow(/argument 'args' lies outside/);
    expect(() => native.run({} as ArrayBuffer, 1, 0, 1)).toThrow(/argument 'memory' must be an ArrayBuffer/);
  });
});

const runtimes: [string, () => KernelRuntime, number][] = [
  ['wasm', () => new KernelRuntime(module), 1],
  ['wasm, relaxed SIMD', () => new KernelRuntime(relaxedModule), 1],
];
if (native) for (const t of [1, 3]) runtimes.push([`native, ${t} thread${t > 1 ? 's' : ''}`, () => new KernelRuntime(module, { native, threads: t }), t]);

describe('WebAssembly builds', () => {
  it('say which SIMD they use', () => {
    expect(new KernelRuntime(module).info().isa).toBe('wasm-simd128');
    expect(new KernelRuntime(relaxedModule).info().isa).toBe('wasm-relaxed-simd');
  });

  it('loadKernels rejects bytes that are not a kernels binary with a clear error, keeping the runtime', () => {
    const before = kernelsInfo();
    expect(() => loadKernels(new Uint8Array([0, 97, 115, 109, 9]))).toThrow(/loadKernels: bytes: expected a kernels binary this engine can compile \(kernels-relaxed\.wasm here\), received 5 bytes that do not validate/);
    expect(kernelsInfo()).toEqual(before);
  });
});

describe.each(runtimes)('kernels (%s)', (_name, make, threads) => {
  const rt = make();
  it('runs on its threads', () => expect(rt.threads).toBe(threads));

  it('gemm: C = (C +) A·B for odd sizes, strides and batch 1', () => {
    const before = rt.bytesInUse();
    for (const [M, N, K] of [[1, 1, 1], [1, 13, 7], [2, 9, 5], [3, 17, 33], [4, 8, 4], [5, 19, 11], [9, 33, 300], [33, 7, 2], [261, 17, 5], [37, 40, 520], [1, 515, 300], [2, 77, 600], [70, 130, 290], [1, 1100, 1400], [3, 700, 800]]) {
      const lda = K + 3, ldb = N + 2, ldc = N + 1;
      const A = rand(M * lda, 1), B = rand(K * ldb, 2), C0 = rand(M * ldc, 3);
      for (const acc of [0, 1]) {
        const want = Float32Array.from(C0);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let s = acc ? C0[i * ldc + j] : 0;
          for (let k = 0; k < K; k++) s += A[i * lda + k] * B[k * ldb + j];
          want[i * ldc + j] = s;
        }
        const got = rt.scratch([A.length, B.length, C0.length], ([pa, pb, pc]) => {
          rt.write(pa, A); rt.write(pb, B); rt.write(pc, C0);
          rt.k.gemm(M, N, K, pa, lda, pb, ldb, pc, ldc, acc);
          return rt.read(pc, C0.length);
        });
        // (float32 sums of K products: the error grows with K; FMA and the order of sums differ by kernel)
        expectClose(got, want, K > 500 ? 1e-4 : 1e-5, 1e-5, `gemm ${M}x${N}x${K} acc ${acc}`);
      }
    }
    expect(rt.bytesInUse()).toBe(before);
  });

  it('gemmTN: C = (C +) Aᵀ·B for odd sizes and more rows than one block', () => {
    for (const [M, K, N] of [[1, 1, 1], [3, 5, 9], [7, 4, 8], [130, 9, 13], [300, 6, 17], [700, 130, 9], [400, 70, 100]]) {
      const lda = K + 1, ldb = N + 3, ldc = N + 2;
      const A = rand(M * lda, 4), B = rand(M * ldb, 5), C0 = rand(K * ldc, 6);
      for (const acc of [0, 1]) {
        const want = Float32Array.from(C0);
        for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) {
          let s = acc ? C0[k * ldc + j] : 0;
          for (let m = 0; m < M; m++) s += A[m * lda + k] * B[m * ldb + j];
          want[k * ldc + j] = s;
        }
        const got = rt.scratch([A.length, B.length, C0.length], ([pa, pb, pc]) => {
          rt.write(pa, A); rt.write(pb, B); rt.write(pc, C0);
          rt.k.gemmTN(M, K, N, pa, lda, pb, ldb, pc, ldc, acc);
          return rt.read(pc, C0.length);
        });
        expectClose(got, want, 1e-4, 1e-5, `gemmTN ${M}x${K}x${N} acc ${acc}`);
      }
    }
  });

  it('transpose and colsum', () => {
    const R = 7, C = 13;
    const A = rand(R * C, 7);
    const [t, s] = rt.scratch([R * C, R * C, C], ([pa, pt, ps]) => {
      rt.write(pa, A);
      rt.k.transpose(R, C, pa, pt);
      rt.k.colsum(R, C, pa, C, ps, 0);
      return [rt.read(pt, R * C), rt.read(ps, C)];
    });
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) expect(t[j * R + i]).toBe(A[i * C + j]);
    const want = new Float32Array(C);
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) want[j] += A[i * C + j];
    expectClose(s, want, 1e-6, 1e-6, 'colsum');
  });

  it('vectorised sigmoid, tanh and exp are accurate to float32 round-off', () => {
    const n = 2003;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -20 + (40 * i) / (n - 1);
    x[5] = 0; x[6] = 1e-6; x[7] = -1e-6; x[8] = 100; x[9] = -100;
    for (const [act, f] of [[0, (v: number) => 1 / (1 + Math.exp(-v))], [1, Math.tanh]] as const) {
      const y = rt.scratch([n, n], ([px, py]) => {
        rt.write(px, x);
        rt.k.activate(n, px, py, act);
        return rt.read(py, n);
      });
      expectClose(y, Array.from(x, f), 2e-7, 2e-6, act === 0 ? 'sigmoid' : 'tanh');
    }
    const xe = x.map((v) => v / 2);
    const e = rt.scratch([n, n], ([px, py]) => {
      rt.write(px, xe);
      rt.k.activate(n, px, py, 2);
      return rt.read(py, n);
    });
    expectClose(e, Array.from(xe, Math.exp), 0, 3e-7, 'exp');
  });
});

// A batch-1..3 LSTM step on several threads runs as one parallel job (each thread takes a range of
// units: its gate columns, both GEMVs, its cell update): it must give what the WebAssembly kernel
// gives, for one step (input projection inside the job) and for several.
describe.skipIf(!native)('native small-batch LSTM steps on several threads', () => {
  it.each([[1, 1, 2], [1, 3, 3], [5, 1, 2], [4, 3, 3], [2, 2, 4]])('T=%i B=%i on %i threads equal the WebAssembly kernel', (T, B, threads) => {
    const X = 130, H = 264, G = 4 * H; // ≥ 1 MiB of weights: the parallel path
    const x = rand(T * B * X, 11), K = rand(X * G, 12).map((v) => v * 0.2), R = rand(H * G, 13).map((v) => v * 0.2), b = rand(G, 14);
    const h0 = rand(B * H, 15), c0 = rand(B * H, 16);
    const runOn = (rt: KernelRuntime) =>
      rt.scratch([x.length, K.length, R.length, G, (T + 1) * B * H, (T + 1) * B * H, T * B * G, T * B * H], ([px, pK, pR, pb, phs, pcs, pg, ptc]) => {
        rt.write(px, x); rt.write(pK, K); rt.write(pR, R); rt.write(pb, b); rt.write(phs, h0); rt.write(pcs, c0);
        rt.k.lstmForward(T, B, X, H, 0, px, pK, pR, pb, 0, phs, pcs, pg, ptc, 0);
        return [rt.read(phs, (T + 1) * B * H), rt.read(pcs, (T + 1) * B * H), rt.read(pg, T * B * G), rt.read(ptc, T * B * H)];
      });
    const got = runOn(new KernelRuntime(module, { native, threads }));
    const want = runOn(new KernelRuntime(module));
    ['hs', 'cs', 'gates', 'tanh c'].forEach((name, i) => expectClose(got[i], want[i], 1e-5, 1e-5, name));
  });
});
