// rxrnn kernels (AssemblyScript): the peephole / CIFG LSTM step and sequence, forward and backward.
//
// Peephole / CIFG LSTM (Greff et al. 2017 §II, "vanilla", and its variants NP and CIFG): the equations
// and the gate layout are in lstm-pointwise.ts, whose pointwise step this file runs over T steps.

import { lstmCellFw, lstmCellBw } from './lstm-pointwise';
import { gemm } from './gemm';
import { broadcastRows, colsumMul, denseGrads } from './dense';

/**
 * Peephole / CIFG LSTM forward over T steps. x [T·B, X]; K [X, G], R [H, G], bias [G] (G = 4H, or
 * 3H with `coupled`); pi, pf, po [H] (0: no peepholes); hs, cs [(T+1)·B, H] with h0, c0 in block 0
 * (outputs in blocks 1..T); gates [T·B, G] receives the activated gates; tanhc [T·B, H] receives
 * tanh(c_t) (pass 0 when no backward will follow).
 */
export function lstmvForward(T: i32, B: i32, X: i32, H: i32, coupled: i32, x: usize, K: usize, R: usize, bias: usize, pi: usize, pf: usize, po: usize, hs: usize, cs: usize, gates: usize, tanhc: usize): void {
  const G = (coupled != 0 ? 3 : 4) * H;
  const TB = T * B;
  broadcastRows(TB, G, bias, gates);
  gemm(TB, G, X, x, X, K, G, gates, G, 1); // all input projections at once: [T·B, G]
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  for (let t = 0; t < T; t++) {
    const z = gates + <usize>t * sz;
    gemm(B, G, H, hs + <usize>t * sh, H, R, G, z, G, 1); // + h_{t−1} R
    lstmCellFw(B, H, coupled, z, pi, pf, po, cs + <usize>t * sh, cs + <usize>(t + 1) * sh, hs + <usize>(t + 1) * sh, tanhc == 0 ? 0 : tanhc + <usize>t * sh);
  }
}

/**
 * Peephole / CIFG LSTM backward through T steps (after lstmvForward with tanhc). dys [T·B, H]: the
 * gradients of h_1..h_T; dcT [B, H]. KT [G, X], RT [G, H]: the transposed weights. Scratch dz
 * [T·B, G]. Writes dh, dc [B, H] (ending as dh0, dc0), dx [T·B, X], dK [X, G], dR [H, G], db [G],
 * and with peepholes dpi, dpo (and dpf unless coupled) [H].
 */
export function lstmvBackward(T: i32, B: i32, X: i32, H: i32, coupled: i32, x: usize, KT: usize, RT: usize, pi: usize, pf: usize, po: usize, hs: usize, cs: usize, gates: usize, tanhc: usize, dys: usize, dcT: usize, dz: usize, dh: usize, dc: usize, dx: usize, dK: usize, dR: usize, db: usize, dpi: usize, dpf: usize, dpo: usize): void {
  const nb = coupled != 0 ? 3 : 4;
  const G = nb * H;
  const TB = T * B;
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  memory.copy(dc, dcT, sh);
  memory.copy(dh, dys + <usize>(T - 1) * sh, sh);
  for (let t = T - 1; t >= 0; t--) {
    const dzt = dz + <usize>t * sz;
    lstmCellBw(B, H, coupled, gates + <usize>t * sz, pi, pf, po, cs + <usize>t * sh, tanhc + <usize>t * sh, dh, dc, dzt);
    if (t > 0) memory.copy(dh, dys + <usize>(t - 1) * sh, sh);
    else memory.fill(dh, 0, sh);
    gemm(B, H, G, dzt, G, RT, H, dh, H, 1); // dh_{t−1} += dz̄_t Rᵀ
  }
  denseGrads(TB, X, H, G, x, hs, dz, KT, dK, dR, db, dx); // dK = Xᵀ dZ, dR = H_{0..T−1}ᵀ dZ, db, dX = dZ Kᵀ
  if (pi != 0) {
    const oCol = <usize>(nb - 1) * <usize>H << 2;
    colsumMul(TB, H, dz, G, cs, H, dpi); // dp_i = Σ dī ⊙ c_{t−1}
    if (coupled == 0) colsumMul(TB, H, dz + (<usize>H << 2), G, cs, H, dpf); // dp_f = Σ df̄ ⊙ c_{t−1}
    colsumMul(TB, H, dz + oCol, G, cs + sh, H, dpo); // dp_o = Σ dō ⊙ c_t
  }
}
