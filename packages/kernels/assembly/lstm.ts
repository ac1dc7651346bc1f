// rxrnn kernels (AssemblyScript): the LSTM (and LSTMP) step and sequence, forward and backward.
//
// LSTM (gate order i, f, g, o):  z = x K + h R + b;  c' = σ(f)⊙c + σ(i)⊙tanh(g);  h' = σ(o)⊙tanh(c').

import { vsigmoid, vtanh, ssigmoid, stanh } from './activations';
import { gemm, gemmTN } from './gemm';
import { broadcastRows, denseGrads } from './dense';

// Pointwise part of one step for B rows. z [B, 4H] is overwritten with the activated gates.
function lstmCellFw(B: i32, H: i32, z: usize, cp: usize, cn: usize, hn: usize, tc: usize): void {
  const hb = <usize>H << 2;
  for (let r = 0; r < B; r++) {
    const zr = z + <usize>r * 4 * hb;
    const cpr = cp + <usize>r * hb;
    const cnr = cn + <usize>r * hb;
    const hnr = hn + <usize>r * hb;
    const tcr = tc + <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const i = vsigmoid(v128.load(zr + o));
      const f = vsigmoid(v128.load(zr + hb + o));
      const g = vtanh(v128.load(zr + 2 * hb + o));
      const og = vsigmoid(v128.load(zr + 3 * hb + o));
      v128.store(zr + o, i);
      v128.store(zr + hb + o, f);
      v128.store(zr + 2 * hb + o, g);
      v128.store(zr + 3 * hb + o, og);
      const c = f32x4.add(f32x4.mul(f, v128.load(cpr + o)), f32x4.mul(i, g));
      const t = vtanh(c);
      v128.store(cnr + o, c);
      v128.store(hnr + o, f32x4.mul(og, t));
      if (tc != 0) v128.store(tcr + o, t);
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const i = ssigmoid(load<f32>(zr + o));
      const f = ssigmoid(load<f32>(zr + hb + o));
      const g = stanh(load<f32>(zr + 2 * hb + o));
      const og = ssigmoid(load<f32>(zr + 3 * hb + o));
      store<f32>(zr + o, i);
      store<f32>(zr + hb + o, f);
      store<f32>(zr + 2 * hb + o, g);
      store<f32>(zr + 3 * hb + o, og);
      const c = f * load<f32>(cpr + o) + i * g;
      const t = stanh(c);
      store<f32>(cnr + o, c);
      store<f32>(hnr + o, og * t);
      if (tc != 0) store<f32>(tcr + o, t);
    }
  }
}

/**
 * LSTM forward over T steps. x [T·B, X]; hs [(T+1)·B, R] and cs [(T+1)·B, H] with h0, c0 in block 0
 * (outputs in blocks 1..T), R = P with a projection Pm [H, P] (LSTMP, Sak et al. 2014:
 * h_t = (o ⊙ tanh c_t) Pm), else R = H (pass Pm = 0). gates [T·B, 4H] receives the activated gates;
 * tanhc [T·B, H] receives tanh(c_t) (pass 0 when no backward will follow); with a projection
 * hfull [T·B, H] receives o ⊙ tanh(c_t).
 */
export function lstmForward(T: i32, B: i32, X: i32, H: i32, P: i32, x: usize, K: usize, R: usize, bias: usize, Pm: usize, hs: usize, cs: usize, gates: usize, tanhc: usize, hfull: usize): void {
  const G = 4 * H;
  const TB = T * B;
  const Rh = Pm != 0 ? P : H;
  broadcastRows(TB, G, bias, gates);
  gemm(TB, G, X, x, X, K, G, gates, G, 1); // all input projections at once
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  const sr = (<usize>B * <usize>Rh) << 2;
  for (let t = 0; t < T; t++) {
    const z = gates + <usize>t * sz;
    gemm(B, G, Rh, hs + <usize>t * sr, Rh, R, G, z, G, 1);
    const hout = Pm != 0 ? hfull + <usize>t * sh : hs + <usize>(t + 1) * sr;
    lstmCellFw(B, H, z, cs + <usize>t * sh, cs + <usize>(t + 1) * sh, hout, tanhc == 0 ? 0 : tanhc + <usize>t * sh);
    if (Pm != 0) gemm(B, P, H, hout, H, Pm, P, hs + <usize>(t + 1) * sr, P, 0);
  }
}

// dz from (dh, dc) at one step; dc becomes dc_{t−1}.
function lstmCellBw(B: i32, H: i32, gates: usize, cp: usize, tc: usize, dh: usize, dc: usize, dz: usize): void {
  const hb = <usize>H << 2;
  const one = f32x4.splat(1.0);
  for (let r = 0; r < B; r++) {
    const gr = gates + <usize>r * 4 * hb;
    const dzr = dz + <usize>r * 4 * hb;
    const cpr = cp + <usize>r * hb;
    const tcr = tc + <usize>r * hb;
    const dhr = dh + <usize>r * hb;
    const dcr = dc + <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const i = v128.load(gr + o);
      const f = v128.load(gr + hb + o);
      const g = v128.load(gr + 2 * hb + o);
      const og = v128.load(gr + 3 * hb + o);
      const t = v128.load(tcr + o);
      const dhv = v128.load(dhr + o);
      const dcc = f32x4.add(v128.load(dcr + o), f32x4.mul(f32x4.mul(dhv, og), f32x4.sub(one, f32x4.mul(t, t))));
      v128.store(dzr + o, f32x4.mul(f32x4.mul(dcc, g), f32x4.mul(i, f32x4.sub(one, i))));
      v128.store(dzr + hb + o, f32x4.mul(f32x4.mul(dcc, v128.load(cpr + o)), f32x4.mul(f, f32x4.sub(one, f))));
      v128.store(dzr + 2 * hb + o, f32x4.mul(f32x4.mul(dcc, i), f32x4.sub(one, f32x4.mul(g, g))));
      v128.store(dzr + 3 * hb + o, f32x4.mul(f32x4.mul(dhv, t), f32x4.mul(og, f32x4.sub(one, og))));
      v128.store(dcr + o, f32x4.mul(dcc, f));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const i = load<f32>(gr + o);
      const f = load<f32>(gr + hb + o);
      const g = load<f32>(gr + 2 * hb + o);
      const og = load<f32>(gr + 3 * hb + o);
      const t = load<f32>(tcr + o);
      const dhv = load<f32>(dhr + o);
      const dcc = load<f32>(dcr + o) + dhv * og * (1 - t * t);
      store<f32>(dzr + o, dcc * g * (i * (1 - i)));
      store<f32>(dzr + hb + o, dcc * load<f32>(cpr + o) * (f * (1 - f)));
      store<f32>(dzr + 2 * hb + o, dcc * i * (1 - g * g));
      store<f32>(dzr + 3 * hb + o, dhv * t * (og * (1 - og)));
      store<f32>(dcr + o, dcc * f);
    }
  }
}

/**
 * LSTM backward through T steps (after lstmForward with tanhc). dys [T·B, R] are the gradients of
 * the outputs h_1..h_T (the gradient of h_T included); dcT [B, H]. KT [4H, X], RT [4H, R] and
 * PmT [P, H] are the transposed weights. Scratch: dz [T·B, 4H]; with a projection dhfull [B, H] and
 * dhs [T·B, P]. Writes dh [B, R] / dc [B, H] (ending as dh0, dc0), dx [T·B, X], dK [X, 4H],
 * dR [R, 4H], db [4H], dPm [H, P].
 */
export function lstmBackward(T: i32, B: i32, X: i32, H: i32, P: i32, x: usize, KT: usize, RT: usize, PmT: usize, hs: usize, cs: usize, gates: usize, tanhc: usize, hfull: usize, dys: usize, dcT: usize, dz: usize, dh: usize, dc: usize, dhfull: usize, dhs: usize, dx: usize, dK: usize, dR: usize, db: usize, dPm: usize): void {
  const G = 4 * H;
  const TB = T * B;
  const Rh = PmT != 0 ? P : H;
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  const sr = (<usize>B * <usize>Rh) << 2;
  memory.copy(dc, dcT, sh);
  memory.copy(dh, dys + <usize>(T - 1) * sr, sr);
  for (let t = T - 1; t >= 0; t--) {
    const dzt = dz + <usize>t * sz;
    let dhf = dh;
    if (PmT != 0) {
      memory.copy(dhs + <usize>t * sr, dh, sr); // total gradient of h_t, for dPm
      gemm(B, H, P, dh, P, PmT, H, dhfull, H, 0); // through the projection
      dhf = dhfull;
    }
    lstmCellBw(B, H, gates + <usize>t * sz, cs + <usize>t * sh, tanhc + <usize>t * sh, dhf, dc, dzt);
    if (t > 0) memory.copy(dh, dys + <usize>(t - 1) * sr, sr);
    else memory.fill(dh, 0, sr);
    gemm(B, Rh, G, dzt, G, RT, Rh, dh, Rh, 1);
  }
  denseGrads(TB, X, Rh, G, x, hs, dz, KT, dK, dR, db, dx);
  if (PmT != 0) gemmTN(TB, H, P, hfull, H, dhs, P, dPm, P, 0);
}
