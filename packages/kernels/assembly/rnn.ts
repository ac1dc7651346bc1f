// rxrnn kernels (AssemblyScript): the vanilla RNN step and sequence, forward and backward.
//
// Vanilla RNN: h' = φ(x K + h R + b), φ = tanh (act 0) or relu (act 1). hs [(T+1)·B, H].

import { vtanh, stanh } from './activations';
import { gemm } from './gemm';
import { broadcastRows, denseGrads } from './dense';

function applyAct(n: i32, p: usize, act: i32): void {
  let i = 0;
  const zero = f32x4.splat(0.0);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(p + o);
    v128.store(p + o, act == 0 ? vtanh(v) : f32x4.max(v, zero));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(p + o);
    store<f32>(p + o, act == 0 ? stanh(v) : max<f32>(v, 0));
  }
}

export function rnnForward(T: i32, B: i32, X: i32, H: i32, x: usize, K: usize, R: usize, bias: usize, act: i32, hs: usize): void {
  const TB = T * B;
  const sh = (<usize>B * <usize>H) << 2;
  broadcastRows(TB, H, bias, hs + sh);
  gemm(TB, H, X, x, X, K, H, hs + sh, H, 1);
  for (let t = 0; t < T; t++) {
    const hn = hs + <usize>(t + 1) * sh;
    gemm(B, H, H, hs + <usize>t * sh, H, R, H, hn, H, 1);
    applyAct(B * H, hn, act);
  }
}

/** RNN backward: dpre [T·B, H] scratch; KT [H, X], RT [H, H]. */
export function rnnBackward(T: i32, B: i32, X: i32, H: i32, x: usize, KT: usize, RT: usize, act: i32, hs: usize, dys: usize, dpre: usize, dh: usize, dx: usize, dK: usize, dR: usize, db: usize): void {
  const TB = T * B;
  const sh = (<usize>B * <usize>H) << 2;
  const n = B * H;
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0.0);
  memory.copy(dh, dys + <usize>(T - 1) * sh, sh);
  for (let t = T - 1; t >= 0; t--) {
    const h = hs + <usize>(t + 1) * sh;
    const dp = dpre + <usize>t * sh;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const hv = v128.load(h + o);
      const d = v128.load(dh + o);
      const deriv = act == 0 ? f32x4.sub(one, f32x4.mul(hv, hv)) : v128.and(f32x4.gt(hv, zero), one);
      v128.store(dp + o, f32x4.mul(d, deriv));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const hv = load<f32>(h + o);
      const deriv: f32 = act == 0 ? 1 - hv * hv : hv > 0 ? 1 : 0;
      store<f32>(dp + o, load<f32>(dh + o) * deriv);
    }
    if (t > 0) memory.copy(dh, dys + <usize>(t - 1) * sh, sh);
    else memory.fill(dh, 0, sh);
    gemm(B, H, H, dp, H, RT, H, dh, H, 1);
  }
  denseGrads(TB, X, H, H, x, hs, dpre, KT, dK, dR, db, dx);
}
