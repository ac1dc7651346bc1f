// rxrnn kernels (AssemblyScript): one attention step (score + masked softmax + context) in one call,
// for the additive (Bahdanau) and the dot / general (Luong) scores. Forward only (inference):
//
//   additive:  e_bs = v · tanh(q_b W + kp_bs + cov_bs w_c)        (kp = U h_s + b, precomputed)
//   dot:       e_bs = q_b · k_bs                                  (k: the keys, or their projection)
//   both:      α_b = softmax(e_b where mask_b > 0 else −1e9) ⊙ mask_b;   c_b = Σ_s α_bs h_bs
//
// The arithmetic of @rxrnn/attention's `normalise` and `contextOf` (see ../kernels-native/src/attention.c).

import { gemm, gemmTN } from './gemm';
import { vexp, vtanh } from './activations';

// Σ_a x[a] · y[a] (4 lanes, then the lanes; the tail scalar).
// @ts-ignore: decorator
@inline function dot(n: i32, x: usize, y: usize): f32 {
  let acc = f32x4.splat(0);
  let a = 0;
  for (; a + 4 <= n; a += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(x + (<usize>a << 2)), v128.load(y + (<usize>a << 2))));
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; a < n; a++) s += load<f32>(x + (<usize>a << 2)) * load<f32>(y + (<usize>a << 2));
  return s;
}

// e = v · tanh(q + k (+ cs·wc)) over A (wc: 0 for none).
function additiveScore(A: i32, q: usize, k: usize, v: usize, cs: f32, wc: usize): f32 {
  let acc = f32x4.splat(0);
  const vc = f32x4.splat(cs);
  let a = 0;
  for (; a + 4 <= A; a += 4) {
    const o = <usize>a << 2;
    let pre = f32x4.add(v128.load(k + o), v128.load(q + o));
    if (wc) pre = f32x4.add(pre, f32x4.mul(vc, v128.load(wc + o)));
    acc = f32x4.add(acc, f32x4.mul(v128.load(v + o), vtanh(pre)));
  }
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; a < A; a++) {
    const o = <usize>a << 2;
    let pre = load<f32>(k + o) + load<f32>(q + o);
    if (wc) pre += cs * load<f32>(wc + o);
    s += load<f32>(v + o) * f32x4.extract_lane(vtanh(f32x4.splat(pre)), 0);
  }
  return s;
}

// Masked softmax of e[S] in place (mask 0: none), then c[D] = Σ_s α_s h_s.
function normaliseContext(S: i32, D: i32, e: usize, m: usize, h: usize, c: usize): void {
  if (m) for (let s = 0; s < S; s++) if (!(load<f32>(m + (<usize>s << 2)) > 0)) store<f32>(e + (<usize>s << 2), -1e9);
  let mx = load<f32>(e);
  for (let s = 1; s < S; s++) mx = max(mx, load<f32>(e + (<usize>s << 2)));
  let sum: f32 = 0;
  for (let s = 0; s < S; s++) {
    const x = f32x4.extract_lane(vexp(f32x4.splat(load<f32>(e + (<usize>s << 2)) - mx)), 0);
    store<f32>(e + (<usize>s << 2), x);
    sum += x;
  }
  const inv: f32 = 1 / sum;
  for (let s = 0; s < S; s++) {
    const o = <usize>s << 2;
    store<f32>(e + o, load<f32>(e + o) * inv * (m ? load<f32>(m + o) : 1));
  }
  memory.fill(c, 0, <usize>D << 2);
  for (let s = 0; s < S; s++) {
    const a = load<f32>(e + (<usize>s << 2));
    if (a == 0) continue;
    const va = f32x4.splat(a);
    const hs = h + ((<usize>s * <usize>D) << 2);
    let d = 0;
    for (; d + 4 <= D; d += 4) {
      const o = <usize>d << 2;
      v128.store(c + o, f32x4.add(v128.load(c + o), f32x4.mul(va, v128.load(hs + o))));
    }
    for (; d < D; d++) {
      const o = <usize>d << 2;
      store<f32>(c + o, load<f32>(c + o) + a * load<f32>(hs + o));
    }
  }
}

/** Additive attention step: e = v·tanh(q W + kp + cov w_c), masked softmax, context = Σ α h; qp: q W [B, A]. */
export function attendAdditive(B: i32, S: i32, Q: i32, A: i32, D: i32, query: usize, W: usize, keysProj: usize, v: usize, values: usize, mask: usize, coverage: usize, wc: usize, qp: usize, weights: usize, context: usize): void {
  gemm(B, A, Q, query, Q, W, A, qp, A, 0); // q W [B, A]
  const cov = coverage && wc ? coverage : 0;
  for (let b = 0; b < B; b++) {
    const bs = <usize>b * <usize>S;
    const e = weights + (bs << 2);
    const q = qp + ((<usize>b * <usize>A) << 2);
    for (let s = 0; s < S; s++) {
      const cs: f32 = cov ? load<f32>(cov + ((bs + <usize>s) << 2)) : 0;
      store<f32>(e + (<usize>s << 2), additiveScore(A, q, keysProj + (((bs + <usize>s) * <usize>A) << 2), v, cs, cov ? wc : 0));
    }
    normaliseContext(S, D, e, mask ? mask + (bs << 2) : 0, values + ((bs * <usize>D) << 2), context + ((<usize>b * <usize>D) << 2));
  }
}

/** Dot / general attention step: e = q · k (k [B, S, Q]), masked softmax, context = Σ α h. */
export function attendDot(B: i32, S: i32, Q: i32, D: i32, query: usize, keys: usize, values: usize, mask: usize, weights: usize, context: usize): void {
  for (let b = 0; b < B; b++) {
    const bs = <usize>b * <usize>S;
    const e = weights + (bs << 2);
    const q = query + ((<usize>b * <usize>Q) << 2);
    for (let s = 0; s < S; s++) store<f32>(e + (<usize>s << 2), dot(Q, q, keys + (((bs + <usize>s) * <usize>Q) << 2)));
    normaliseContext(S, D, e, mask ? mask + (bs << 2) : 0, values + ((bs * <usize>D) << 2), context + ((<usize>b * <usize>D) << 2));
  }
}

/**
 * attendAdditive backward (no coverage), recomputing tanh from the inputs: the gradients of query, W,
 * keysProj, v and values from dcontext and dweights (0: none) and the forward's weights α (see attention.c).
 */
export function attendAdditiveBackward(B: i32, S: i32, Q: i32, A: i32, D: i32, query: usize, W: usize, WT: usize, keysProj: usize, v: usize, values: usize, mask: usize, weights: usize, dcontext: usize, dweights: usize, qp: usize, de: usize, dqp: usize, dquery: usize, dW: usize, dkeysProj: usize, dv: usize, dvalues: usize): void {
  gemm(B, A, Q, query, Q, W, A, qp, A, 0); // q W [B, A]
  memory.fill(dv, 0, <usize>A << 2);
  memory.fill(dqp, 0, (<usize>B * <usize>A) << 2);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const bs = <usize>b * <usize>S;
    const al = weights + (bs << 2);
    const m = mask ? mask + (bs << 2) : 0;
    const dc = dcontext + ((<usize>b * <usize>D) << 2);
    const e = de + (bs << 2);
    let dot: f32 = 0;
    for (let s = 0; s < S; s++) {
      const hs = values + (((bs + <usize>s) * <usize>D) << 2);
      const dhs = dvalues + (((bs + <usize>s) * <usize>D) << 2);
      const as = load<f32>(al + (<usize>s << 2));
      let acc: f32 = dweights ? load<f32>(dweights + ((bs + <usize>s) << 2)) : 0;
      for (let d = 0; d < D; d++) {
        const o = <usize>d << 2;
        const g = load<f32>(dc + o);
        acc += g * load<f32>(hs + o);
        store<f32>(dhs + o, as * g);
      }
      const ms: f32 = m ? load<f32>(m + (<usize>s << 2)) : 1;
      const dp: f32 = m ? (ms > 0 ? acc * ms : 0) : acc;
      store<f32>(e + (<usize>s << 2), dp);
      dot += as * dp;
    }
    for (let s = 0; s < S; s++) {
      const o = <usize>s << 2;
      const masked = m != 0 && !(load<f32>(m + o) > 0);
      store<f32>(e + o, masked ? 0 : load<f32>(al + o) * (load<f32>(e + o) - dot));
    }
    const q = qp + ((<usize>b * <usize>A) << 2);
    const dq = dqp + ((<usize>b * <usize>A) << 2);
    for (let s = 0; s < S; s++) {
      const k = keysProj + (((bs + <usize>s) * <usize>A) << 2);
      const dk = dkeysProj + (((bs + <usize>s) * <usize>A) << 2);
      const es = load<f32>(e + (<usize>s << 2));
      const ve = f32x4.splat(es);
      let a = 0;
      for (; a + 4 <= A; a += 4) {
        const o = <usize>a << 2;
        const t = vtanh(f32x4.add(v128.load(k + o), v128.load(q + o)));
        const g = f32x4.mul(f32x4.mul(ve, v128.load(v + o)), f32x4.sub(one, f32x4.mul(t, t)));
        v128.store(dk + o, g);
        v128.store(dq + o, f32x4.add(v128.load(dq + o), g));
        v128.store(dv + o, f32x4.add(v128.load(dv + o), f32x4.mul(ve, t)));
      }
      for (; a < A; a++) {
        const o = <usize>a << 2;
        const t = f32x4.extract_lane(vtanh(f32x4.splat(load<f32>(k + o) + load<f32>(q + o))), 0);
        const g = es * load<f32>(v + o) * (1 - t * t);
        store<f32>(dk + o, g);
        store<f32>(dq + o, load<f32>(dq + o) + g);
        store<f32>(dv + o, load<f32>(dv + o) + es * t);
      }
    }
  }
  gemm(B, Q, A, dqp, A, WT, Q, dquery, Q, 0); // dq = dqp Wᵀ [B, Q]
  gemmTN(B, Q, A, query, Q, dqp, A, dW, A, 0); // dW = qᵀ dqp [Q, A]
}
