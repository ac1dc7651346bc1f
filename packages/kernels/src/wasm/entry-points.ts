/**
 * The kernels' entry points, declared once. Each is implemented twice — in AssemblyScript
 * (`assembly/`, compiled to `wasm/kernels*.wasm`) and in C (`@rxrnn/kernels-native`) — and called
 * from TypeScript with the same positional arguments. `scripts/gen-bindings.ts` turns this table
 * into the three bindings, so they cannot drift apart:
 *
 * - `src/wasm/kernel-exports.ts`: the TypeScript interface of the exports, and the native ids;
 * - `assembly/kernels.ts`: the WebAssembly module's entry file (which module exports what);
 * - `../kernels-native/src/entry-points.h`: the C prototypes, ids, argument counts and the dispatch
 *   from the uint32 argument block to each function (the compiler checks every definition against it).
 *
 * `src/bindings.test.ts` checks that the generated files are up to date and that the AssemblyScript
 * exports have exactly these names, arguments and kinds. After editing: `npm run gen:bindings -w @rxrnn/kernels`.
 *
 * A signature lists the arguments in order, each `<kind> <name>`: `int` (an i32 size, stride or flag),
 * `in` (the byte address of float32 data the call only reads; 0 for none) or `out` (of float32
 * data it writes, and may read). `native` in front marks a trailing argument only the native kernels
 * read (the WebAssembly build takes fewer, and JavaScript drops the rest).
 */

/** One entry point. */
export interface EntryPoint {
  /** The export's name (JavaScript, AssemblyScript); the C function is `k_<name>`. */
  name: string;
  /** The AssemblyScript module (`assembly/<module>.ts`) that exports it. */
  module: 'activations' | 'gemm' | 'dense' | 'lstm' | 'lstm-variant' | 'gru' | 'rnn' | 'attention';
  /** Only the native kernels implement it (optional in the TypeScript interface). */
  nativeOnly?: boolean;
  /** A one-line description (the generated doc comments). */
  doc: string;
  /** The arguments (see the module doc). */
  signature: string;
}

/** In the order of the native kernel ids. */
export const ENTRY_POINTS: readonly EntryPoint[] = [
  {
    name: 'activate',
    module: 'activations',
    doc: 'y[i] = act(x[i]) for i < n; act 0 sigmoid, 1 tanh, 2 exp (the vectorised approximations).',
    signature: 'int n, in x, out y, int act',
  },
  {
    name: 'gemm',
    module: 'gemm',
    doc: 'C[M, N] = (accumulate ? C : 0) + A[M, K] · B[K, N], row-major with leading dimensions lda, ldb, ldc.',
    signature: 'int M, int N, int K, in a, int lda, in b, int ldb, out c, int ldc, int accumulate',
  },
  {
    name: 'gemmTN',
    module: 'gemm',
    doc: 'C[K, N] = (accumulate ? C : 0) + A[M, K]ᵀ · B[M, N] (weight gradients: dW = Xᵀ · dZ).',
    signature: 'int M, int K, int N, in a, int lda, in b, int ldb, out c, int ldc, int accumulate',
  },
  {
    name: 'transpose',
    module: 'dense',
    doc: 'dst[C, R] = src[R, C]ᵀ (dense).',
    signature: 'int R, int C, in src, out dst',
  },
  {
    name: 'colsum',
    module: 'dense',
    doc: 'out[N] = (accumulate ? out : 0) + Σ_m A[m, :] (bias gradients).',
    signature: 'int M, int N, in a, int lda, out out, int accumulate',
  },
  {
    name: 'lstmForward',
    module: 'lstm',
    doc: 'LSTM (with a projection Pm when P > 0) forward over T steps; Kp, Rp: K and R packed by `pack` (native only).',
    signature: 'int T, int B, int X, int H, int P, in x, in K, in R, in bias, in Pm, out hs, out cs, out gates, out tanhc, out hfull, native in Kp, native in Rp',
  },
  {
    name: 'lstmBackward',
    module: 'lstm',
    doc: 'LSTM backward through T steps (after lstmForward with tanhc): the gradients of x, h0, c0 and every weight.',
    signature:
      'int T, int B, int X, int H, int P, in x, in KT, in RT, in PmT, in hs, in cs, in gates, in tanhc, in hfull, in dys, in dcT, out dz, out dh, out dc, out dhfull, out dhs, out dx, out dK, out dR, out db, out dPm',
  },
  {
    name: 'gruForward',
    module: 'gru',
    doc: 'GRU (reset-after or reset-before) forward over T steps; Kp, Rp: K and R packed by `pack` (native only).',
    signature: 'int T, int B, int X, int H, in x, in K, in R, in bias, in rbias, int resetAfter, out hs, out gates, out aux, out hz, native in Kp, native in Rp',
  },
  {
    name: 'gruBackward',
    module: 'gru',
    doc: 'GRU backward through T steps: the gradients of x, h0 and every weight.',
    signature: 'int T, int B, int X, int H, in x, in KT, in RT, int resetAfter, in hs, in gates, in aux, in dys, out dxz, out dhz, out dh, out dh2, out drh, out dx, out dK, out dR, out db, out dbr',
  },
  {
    name: 'rnnForward',
    module: 'rnn',
    doc: 'Vanilla RNN (act 0 tanh, 1 relu) forward over T steps; Kp, Rp: K and R packed by `pack` (native only).',
    signature: 'int T, int B, int X, int H, in x, in K, in R, in bias, int act, out hs, native in Kp, native in Rp',
  },
  {
    name: 'rnnBackward',
    module: 'rnn',
    doc: 'Vanilla RNN backward through T steps: the gradients of x, h0 and every weight.',
    signature: 'int T, int B, int X, int H, in x, in KT, in RT, int act, in hs, in dys, out dpre, out dh, out dx, out dK, out dR, out db',
  },
  {
    name: 'pack',
    module: 'gemm',
    nativeOnly: true,
    doc: "dst = src [K, N] (leading dimension ldb) in the native GEMM's panel layout (⌈N/16⌉·16·K floats).",
    signature: 'int K, int N, in src, int ldb, out dst',
  },
  {
    name: 'lstmvForward',
    module: 'lstm-variant',
    doc: 'Peephole / CIFG LSTM (Greff et al. 2017) forward: peepholes pi, pf, po (0: none), coupled 1 for CIFG; Kp, Rp packed (native only).',
    signature: 'int T, int B, int X, int H, int coupled, in x, in K, in R, in bias, in pi, in pf, in po, out hs, out cs, out gates, out tanhc, native in Kp, native in Rp',
  },
  {
    name: 'lstmvBackward',
    module: 'lstm-variant',
    doc: 'Peephole / CIFG LSTM backward through T steps: the gradients of x, h0, c0, every weight and the peepholes.',
    signature:
      'int T, int B, int X, int H, int coupled, in x, in KT, in RT, in pi, in pf, in po, in hs, in cs, in gates, in tanhc, in dys, in dcT, out dz, out dh, out dc, out dx, out dK, out dR, out db, out dpi, out dpf, out dpo',
  },
  {
    name: 'attendAdditive',
    module: 'attention',
    doc: 'Additive attention step: e = v·tanh(q W + kp + cov w_c) (cov, wc: 0 for none), masked softmax (mask 0: none), context = Σ α h; qp: q W [B, A].',
    signature: 'int B, int S, int Q, int A, int D, in query, in W, in keysProj, in v, in values, in mask, in coverage, in wc, out qp, out weights, out context',
  },
  {
    name: 'attendDot',
    module: 'attention',
    doc: 'Dot / general attention step: e = q · k (k: the keys or their projection [B, S, Q]), masked softmax (mask 0: none), context = Σ α h.',
    signature: 'int B, int S, int Q, int D, in query, in keys, in values, in mask, out weights, out context',
  },
  {
    name: 'attendAdditiveBackward',
    module: 'attention',
    doc: 'attendAdditive backward (mask 0: none; no coverage): from dcontext, dweights and the forward weights, the gradients of query, W, keysProj, v and values; qp, de: scratch [B, A], [B, S].',
    signature:
      'int B, int S, int Q, int A, int D, in query, in W, in WT, in keysProj, in v, in values, in mask, in weights, in dcontext, in dweights, out qp, out de, out dqp, out dquery, out dW, out dkeysProj, out dv, out dvalues',
  },
];

/** An argument of an entry point. */
export interface EntryArg {
  name: string;
  kind: 'int' | 'in' | 'out';
  /** Read by the native kernels only (a trailing argument). */
  native: boolean;
}

/** The arguments of `e`, parsed from its signature (throws on a malformed one). */
export function entryArgs(e: EntryPoint): EntryArg[] {
  const args = e.signature.split(',').map((part) => {
    const m = /^\s*(native\s+)?(int|in|out)\s+([A-Za-z_]\w*)\s*$/.exec(part);
    if (!m) throw new Error(`entry point ${e.name}: cannot read argument '${part.trim()}' (expected '[native] int|in|out <name>')`);
    return { name: m[3], kind: m[2] as EntryArg['kind'], native: m[1] !== undefined };
  });
  const firstNative = args.findIndex((a) => a.native);
  if (firstNative >= 0 && args.slice(firstNative).some((a) => !a.native)) throw new Error(`entry point ${e.name}: native-only arguments must come last`);
  return args;
}
