// rxrnn kernels (AssemblyScript): the GRU step and sequence, forward and backward.
//
// GRU (gate order r, z, n). Reset-after:  n = tanh(x K_n + b_n + r ⊙ (h R_n + b'_n));
// reset-before:  n = tanh(x K_n + b_n + (r ⊙ h) R_n);  h' = (1 − z) ⊙ n + z ⊙ h.
// gates [T·B, 3H] receives r, z, n; aux [T·B, H] receives h R_n + b'_n (reset-after) or r ⊙ h
// (reset-before); hz [B, 3H] is scratch.

import { vsigmoid, vtanh, ssigmoid, stanh } from './activations';
import { gemm, gemmTN } from './gemm';
import { colsum, broadcastRows } from './dense';

export function gruForward(T: i32, B: i32, X: i32, H: i32, x: usize, K: usize, R: usize, bias: usize, rbias: usize, resetAfter: i32, hs: usize, gates: usize, aux: usize, hz: usize): void {
  const G = 3 * H;
  const TB = T * B;
  broadcastRows(TB, G, bias, gates);
  gemm(TB, G, X, x, X, K, G, gates, G, 1);
  const hb = <usize>H << 2;
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  const one = f32x4.splat(1.0);
  for (let t = 0; t < T; t++) {
    const z = gates + <usize>t * sz;
    const hp = hs + <usize>t * sh;
    const hn = hs + <usize>(t + 1) * sh;
    const ax = aux + <usize>t * sh;
    if (resetAfter != 0) {
      if (rbias != 0) broadcastRows(B, G, rbias, hz);
      gemm(B, G, H, hp, H, R, G, hz, G, rbias != 0 ? 1 : 0);
    } else {
      gemm(B, 2 * H, H, hp, H, R, G, hz, G, 0);
    }
    // r, z (and for reset-after, n and h')
    for (let r = 0; r < B; r++) {
      const zr = z + <usize>r * 3 * hb;
      const hzr = hz + <usize>r * 3 * hb;
      const hpr = hp + <usize>r * hb;
      const hnr = hn + <usize>r * hb;
      const axr = ax + <usize>r * hb;
      let j = 0;
      for (; j + 4 <= H; j += 4) {
        const o = <usize>j << 2;
        const rg = vsigmoid(f32x4.add(v128.load(zr + o), v128.load(hzr + o)));
        const ug = vsigmoid(f32x4.add(v128.load(zr + hb + o), v128.load(hzr + hb + o)));
        v128.store(zr + o, rg);
        v128.store(zr + hb + o, ug);
        if (resetAfter != 0) {
          const hnv = v128.load(hzr + 2 * hb + o);
          const n = vtanh(f32x4.add(v128.load(zr + 2 * hb + o), f32x4.mul(rg, hnv)));
          v128.store(zr + 2 * hb + o, n);
          v128.store(axr + o, hnv);
          const h = v128.load(hpr + o);
          v128.store(hnr + o, f32x4.add(f32x4.mul(f32x4.sub(one, ug), n), f32x4.mul(ug, h)));
        } else {
          v128.store(axr + o, f32x4.mul(rg, v128.load(hpr + o)));
        }
      }
      for (; j < H; j++) {
        const o = <usize>j << 2;
        const rg = ssigmoid(load<f32>(zr + o) + load<f32>(hzr + o));
        const ug = ssigmoid(load<f32>(zr + hb + o) + load<f32>(hzr + hb + o));
        store<f32>(zr + o, rg);
        store<f32>(zr + hb + o, ug);
        if (resetAfter != 0) {
          const hnv = load<f32>(hzr + 2 * hb + o);
          const n = stanh(load<f32>(zr + 2 * hb + o) + rg * hnv);
          store<f32>(zr + 2 * hb + o, n);
          store<f32>(axr + o, hnv);
          store<f32>(hnr + o, (1 - ug) * n + ug * load<f32>(hpr + o));
        } else {
          store<f32>(axr + o, rg * load<f32>(hpr + o));
        }
      }
    }
    if (resetAfter == 0) {
      // hn = (r ⊙ h) R_n, then n and h'
      gemm(B, H, H, ax, H, R + (<usize>(2 * H) << 2), G, hz + (<usize>(2 * H) << 2), G, 0);
      for (let r = 0; r < B; r++) {
        const zr = z + <usize>r * 3 * hb;
        const hzr = hz + <usize>r * 3 * hb;
        const hpr = hp + <usize>r * hb;
        const hnr = hn + <usize>r * hb;
        let j = 0;
        for (; j + 4 <= H; j += 4) {
          const o = <usize>j << 2;
          const ug = v128.load(zr + hb + o);
          const n = vtanh(f32x4.add(v128.load(zr + 2 * hb + o), v128.load(hzr + 2 * hb + o)));
          v128.store(zr + 2 * hb + o, n);
          v128.store(hnr + o, f32x4.add(f32x4.mul(f32x4.sub(one, ug), n), f32x4.mul(ug, v128.load(hpr + o))));
        }
        for (; j < H; j++) {
          const o = <usize>j << 2;
          const ug = load<f32>(zr + hb + o);
          const n = stanh(load<f32>(zr + 2 * hb + o) + load<f32>(hzr + 2 * hb + o));
          store<f32>(zr + 2 * hb + o, n);
          store<f32>(hnr + o, (1 - ug) * n + ug * load<f32>(hpr + o));
        }
      }
    }
  }
}

/**
 * GRU backward. dys [T·B, H]; KT [3H, X], RT [3H, H]. Scratch: dxz [T·B, 3H] (gradients of the
 * input-side pre-activations), dhz [T·B, 3H] (of the recurrent-side ones; reset-after only), dh,
 * dh2, drh [B, H]. Writes dh (ending as dh0), dx, dK [X, 3H], dR [H, 3H], db [3H], dbr [3H]
 * (reset-after; pass 0 otherwise).
 */
export function gruBackward(T: i32, B: i32, X: i32, H: i32, x: usize, KT: usize, RT: usize, resetAfter: i32, hs: usize, gates: usize, aux: usize, dys: usize, dxz: usize, dhz: usize, dh: usize, dh2: usize, drh: usize, dx: usize, dK: usize, dR: usize, db: usize, dbr: usize): void {
  const G = 3 * H;
  const TB = T * B;
  const hb = <usize>H << 2;
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  const one = f32x4.splat(1.0);
  let cur = dh;
  let nxt = dh2;
  memory.copy(cur, dys + <usize>(T - 1) * sh, sh);
  for (let t = T - 1; t >= 0; t--) {
    const gt = gates + <usize>t * sz;
    const dxt = dxz + <usize>t * sz;
    const dht = dhz + <usize>t * sz;
    const hp = hs + <usize>t * sh;
    const ax = aux + <usize>t * sh;
    if (t > 0) memory.copy(nxt, dys + <usize>(t - 1) * sh, sh);
    else memory.fill(nxt, 0, sh);
    for (let r = 0; r < B; r++) {
      const gr = gt + <usize>r * 3 * hb;
      const dxr = dxt + <usize>r * 3 * hb;
      const dhr = dht + <usize>r * 3 * hb;
      const hpr = hp + <usize>r * hb;
      const axr = ax + <usize>r * hb;
      const dcur = cur + <usize>r * hb;
      const dnx = nxt + <usize>r * hb;
      let j = 0;
      for (; j + 4 <= H; j += 4) {
        const o = <usize>j << 2;
        const rg = v128.load(gr + o);
        const ug = v128.load(gr + hb + o);
        const n = v128.load(gr + 2 * hb + o);
        const d = v128.load(dcur + o);
        const h = v128.load(hpr + o);
        const dzn = f32x4.mul(f32x4.mul(d, f32x4.sub(one, ug)), f32x4.sub(one, f32x4.mul(n, n)));
        const dzu = f32x4.mul(f32x4.mul(d, f32x4.sub(h, n)), f32x4.mul(ug, f32x4.sub(one, ug)));
        v128.store(dxr + hb + o, dzu);
        v128.store(dxr + 2 * hb + o, dzn);
        v128.store(dnx + o, f32x4.add(v128.load(dnx + o), f32x4.mul(d, ug)));
        if (resetAfter != 0) {
          const dzr = f32x4.mul(f32x4.mul(dzn, v128.load(axr + o)), f32x4.mul(rg, f32x4.sub(one, rg)));
          v128.store(dxr + o, dzr);
          v128.store(dhr + o, dzr);
          v128.store(dhr + hb + o, dzu);
          v128.store(dhr + 2 * hb + o, f32x4.mul(dzn, rg));
        }
      }
      for (; j < H; j++) {
        const o = <usize>j << 2;
        const rg = load<f32>(gr + o);
        const ug = load<f32>(gr + hb + o);
        const n = load<f32>(gr + 2 * hb + o);
        const d = load<f32>(dcur + o);
        const h = load<f32>(hpr + o);
        const dzn = d * (1 - ug) * (1 - n * n);
        const dzu = d * (h - n) * (ug * (1 - ug));
        store<f32>(dxr + hb + o, dzu);
        store<f32>(dxr + 2 * hb + o, dzn);
        store<f32>(dnx + o, load<f32>(dnx + o) + d * ug);
        if (resetAfter != 0) {
          const dzr = dzn * load<f32>(axr + o) * (rg * (1 - rg));
          store<f32>(dxr + o, dzr);
          store<f32>(dhr + o, dzr);
          store<f32>(dhr + hb + o, dzu);
          store<f32>(dhr + 2 * hb + o, dzn * rg);
        }
      }
    }
    if (resetAfter != 0) {
      gemm(B, H, G, dht, G, RT, H, nxt, H, 1);
    } else {
      // d(r⊙h) = dzn · R_nᵀ; then dr and the direct path into h
      gemm(B, H, H, dxt + (<usize>(2 * H) << 2), G, RT + ((<usize>(2 * H) * <usize>H) << 2), H, drh, H, 0);
      for (let r = 0; r < B; r++) {
        const gr = gt + <usize>r * 3 * hb;
        const dxr = dxt + <usize>r * 3 * hb;
        const hpr = hp + <usize>r * hb;
        const drr = drh + <usize>r * hb;
        const dnx = nxt + <usize>r * hb;
        let j = 0;
        for (; j + 4 <= H; j += 4) {
          const o = <usize>j << 2;
          const rg = v128.load(gr + o);
          const d = v128.load(drr + o);
          v128.store(dxr + o, f32x4.mul(f32x4.mul(d, v128.load(hpr + o)), f32x4.mul(rg, f32x4.sub(one, rg))));
          v128.store(dnx + o, f32x4.add(v128.load(dnx + o), f32x4.mul(d, rg)));
        }
        for (; j < H; j++) {
          const o = <usize>j << 2;
          const rg = load<f32>(gr + o);
          const d = load<f32>(drr + o);
          store<f32>(dxr + o, d * load<f32>(hpr + o) * (rg * (1 - rg)));
          store<f32>(dnx + o, load<f32>(dnx + o) + d * rg);
        }
      }
      gemm(B, H, 2 * H, dxt, G, RT, H, nxt, H, 1);
    }
    const tmp = cur;
    cur = nxt;
    nxt = tmp;
  }
  if (cur != dh) memory.copy(dh, cur, sh);
  gemmTN(TB, X, G, x, X, dxz, G, dK, G, 0);
  colsum(TB, G, dxz, G, db, 0);
  if (resetAfter != 0) {
    gemmTN(TB, H, G, hs, H, dhz, G, dR, G, 0);
    if (dbr != 0) colsum(TB, G, dhz, G, dbr, 0);
  } else {
    gemmTN(TB, H, 2 * H, hs, H, dxz, G, dR, G, 0);
    gemmTN(TB, H, H, aux, H, dxz + (<usize>(2 * H) << 2), G, dR + (<usize>(2 * H) << 2), G, 0);
  }
  gemm(TB, X, G, dxz, G, KT, X, dx, X, 0);
}
