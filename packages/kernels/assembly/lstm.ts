// rxrnn kernels (AssemblyScript): the LSTM (and LSTMP) step and sequence, forward and backward.
//
// LSTM (gate order i, f, g, o):  z = x K + h R + b;  c' = σ(f)⊙c + σ(i)⊙tanh(g);  h' = σ(o)⊙tanh(c').
// The pointwise step is lstm-pointwise.ts's (the variants' step with no peepholes and no coupling).

import { lstmCellFw, lstmCellBw } from './lstm-pointwise';
import { gemm, gemmTN } from './gemm';
import { broadcastRows, denseGrads } from './dense';

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
    lstmCellFw(B, H, 0, z, 0, 0, 0, cs + <usize>t * sh, cs + <usize>(t + 1) * sh, hout, tanhc == 0 ? 0 : tanhc + <usize>t * sh);
    if (Pm != 0) gemm(B, P, H, hout, H, Pm, P, hs + <usize>(t + 1) * sr, P, 0);
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
    lstmCellBw(B, H, 0, gates + <usize>t * sz, 0, 0, 0, cs + <usize>t * sh, tanhc + <usize>t * sh, dhf, dc, dzt);
    if (t > 0) memory.copy(dh, dys + <usize>(t - 1) * sr, sr);
    else memory.fill(dh, 0, sr);
    gemm(B, Rh, G, dzt, G, RT, Rh, dh, Rh, 1);
  }
  denseGrads(TB, X, Rh, G, x, hs, dz, KT, dK, dR, db, dx);
  if (PmT != 0) gemmTN(TB, H, P, hfull, H, dhs, P, dPm, P, 0);
}
