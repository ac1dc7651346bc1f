// rxrnn kernels (AssemblyScript): the peephole / CIFG LSTM step and sequence, forward and backward.
//
// Peephole / CIFG LSTM (Greff et al. 2017 §II, "vanilla", and its variants NP and CIFG), row-vector
// layout. Blocks of z = x K + h R + b: i, f, g, o (G = 4H), or with `coupled` (CIFG) i, g, o (G = 3H):
//
//     i = σ(z_i + p_i ⊙ c_{t−1})                      input gate
//     f = σ(z_f + p_f ⊙ c_{t−1})   or   f = 1 − i      forget gate (coupled: CIFG)
//     g = tanh(z_g)                                   block input (Greff's z)
//     c_t = f ⊙ c_{t−1} + i ⊙ g                       cell
//     o = σ(z_o + p_o ⊙ c_t)                          output gate (peephole on the NEW cell)
//     h_t = o ⊙ tanh(c_t)                             block output (Greff's y)
//
// Peepholes pi, pf, po [H] are on when pi ≠ 0 (then po too, and pf unless coupled); NP passes 0.
// gates [T·B, G] receives the activated i, (f,) g, o; f = 1 − i is not stored when coupled.

import { vsigmoid, vtanh, ssigmoid, stanh } from './activations';
import { gemm } from './gemm';
import { broadcastRows, colsumMul, denseGrads } from './dense';

// Pointwise part of one step for B rows; z [B, G] is overwritten with the activated gates.
function lstmvCellFw(B: i32, H: i32, coupled: i32, z: usize, pi: usize, pf: usize, po: usize, cp: usize, cn: usize, hn: usize, tc: usize): void {
  const hb = <usize>H << 2;
  const nb: usize = coupled != 0 ? 3 : 4;
  const gOff = (nb - 2) * hb; // block g: 2H (i, f, g, o) or H (i, g, o)
  const oOff = (nb - 1) * hb;
  const one = f32x4.splat(1.0);
  for (let r = 0; r < B; r++) {
    const zr = z + <usize>r * nb * hb;
    const cpr = cp + <usize>r * hb;
    const cnr = cn + <usize>r * hb;
    const hnr = hn + <usize>r * hb;
    const tcr = tc + <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const cpv = v128.load(cpr + o);
      let zi = v128.load(zr + o);
      if (pi != 0) zi = f32x4.add(zi, f32x4.mul(cpv, v128.load(pi + o))); // ī = z_i + p_i ⊙ c_{t−1}
      const i = vsigmoid(zi);
      let f: v128;
      if (coupled != 0) {
        f = f32x4.sub(one, i); // CIFG: f = 1 − i
      } else {
        let zf = v128.load(zr + hb + o);
        if (pi != 0) zf = f32x4.add(zf, f32x4.mul(cpv, v128.load(pf + o))); // f̄ = z_f + p_f ⊙ c_{t−1}
        f = vsigmoid(zf);
        v128.store(zr + hb + o, f);
      }
      const g = vtanh(v128.load(zr + gOff + o));
      const c = f32x4.add(f32x4.mul(f, cpv), f32x4.mul(i, g)); // c_t = f ⊙ c_{t−1} + i ⊙ g
      let zo = v128.load(zr + oOff + o);
      if (pi != 0) zo = f32x4.add(zo, f32x4.mul(c, v128.load(po + o))); // ō = z_o + p_o ⊙ c_t
      const og = vsigmoid(zo);
      const t = vtanh(c);
      v128.store(zr + o, i);
      v128.store(zr + gOff + o, g);
      v128.store(zr + oOff + o, og);
      v128.store(cnr + o, c);
      v128.store(hnr + o, f32x4.mul(og, t)); // h_t = o ⊙ tanh(c_t)
      if (tc != 0) v128.store(tcr + o, t);
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const cpv = load<f32>(cpr + o);
      let zi = load<f32>(zr + o);
      if (pi != 0) zi += cpv * load<f32>(pi + o);
      const i = ssigmoid(zi);
      let f: f32;
      if (coupled != 0) {
        f = 1 - i;
      } else {
        let zf = load<f32>(zr + hb + o);
        if (pi != 0) zf += cpv * load<f32>(pf + o);
        f = ssigmoid(zf);
        store<f32>(zr + hb + o, f);
      }
      const g = stanh(load<f32>(zr + gOff + o));
      const c = f * cpv + i * g;
      let zo = load<f32>(zr + oOff + o);
      if (pi != 0) zo += c * load<f32>(po + o);
      const og = ssigmoid(zo);
      const t = stanh(c);
      store<f32>(zr + o, i);
      store<f32>(zr + gOff + o, g);
      store<f32>(zr + oOff + o, og);
      store<f32>(cnr + o, c);
      store<f32>(hnr + o, og * t);
      if (tc != 0) store<f32>(tcr + o, t);
    }
  }
}

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
    lstmvCellFw(B, H, coupled, z, pi, pf, po, cs + <usize>t * sh, cs + <usize>(t + 1) * sh, hs + <usize>(t + 1) * sh, tanhc == 0 ? 0 : tanhc + <usize>t * sh);
  }
}

// dz [B, G] from (dh, dc) at one step; dc becomes dc_{t−1} (through f and the peepholes p_i, p_f).
function lstmvCellBw(B: i32, H: i32, coupled: i32, gates: usize, pi: usize, pf: usize, po: usize, cp: usize, tc: usize, dh: usize, dc: usize, dz: usize): void {
  const hb = <usize>H << 2;
  const nb: usize = coupled != 0 ? 3 : 4;
  const gOff = (nb - 2) * hb;
  const oOff = (nb - 1) * hb;
  const one = f32x4.splat(1.0);
  for (let r = 0; r < B; r++) {
    const gr = gates + <usize>r * nb * hb;
    const dzr = dz + <usize>r * nb * hb;
    const cpr = cp + <usize>r * hb;
    const tcr = tc + <usize>r * hb;
    const dhr = dh + <usize>r * hb;
    const dcr = dc + <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const i = v128.load(gr + o);
      const g = v128.load(gr + gOff + o);
      const og = v128.load(gr + oOff + o);
      const t = v128.load(tcr + o);
      const cpv = v128.load(cpr + o);
      const dhv = v128.load(dhr + o);
      const dzo = f32x4.mul(f32x4.mul(dhv, t), f32x4.mul(og, f32x4.sub(one, og))); // dō
      let dcc = f32x4.add(v128.load(dcr + o), f32x4.mul(f32x4.mul(dhv, og), f32x4.sub(one, f32x4.mul(t, t)))); // dc_t
      if (pi != 0) dcc = f32x4.add(dcc, f32x4.mul(dzo, v128.load(po + o))); // + dō ⊙ p_o
      v128.store(dzr + gOff + o, f32x4.mul(f32x4.mul(dcc, i), f32x4.sub(one, f32x4.mul(g, g)))); // dḡ
      v128.store(dzr + oOff + o, dzo);
      let dcp: v128;
      if (coupled != 0) {
        // f = 1 − i: ∂c/∂i = g − c_{t−1}
        const dzi = f32x4.mul(f32x4.mul(dcc, f32x4.sub(g, cpv)), f32x4.mul(i, f32x4.sub(one, i)));
        v128.store(dzr + o, dzi);
        dcp = f32x4.mul(dcc, f32x4.sub(one, i));
        if (pi != 0) dcp = f32x4.add(dcp, f32x4.mul(dzi, v128.load(pi + o)));
      } else {
        const f = v128.load(gr + hb + o);
        const dzi = f32x4.mul(f32x4.mul(dcc, g), f32x4.mul(i, f32x4.sub(one, i)));
        const dzf = f32x4.mul(f32x4.mul(dcc, cpv), f32x4.mul(f, f32x4.sub(one, f)));
        v128.store(dzr + o, dzi);
        v128.store(dzr + hb + o, dzf);
        dcp = f32x4.mul(dcc, f);
        if (pi != 0) dcp = f32x4.add(dcp, f32x4.add(f32x4.mul(dzi, v128.load(pi + o)), f32x4.mul(dzf, v128.load(pf + o))));
      }
      v128.store(dcr + o, dcp); // dc_{t−1}
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const i = load<f32>(gr + o);
      const g = load<f32>(gr + gOff + o);
      const og = load<f32>(gr + oOff + o);
      const t = load<f32>(tcr + o);
      const cpv = load<f32>(cpr + o);
      const dhv = load<f32>(dhr + o);
      const dzo = dhv * t * (og * (1 - og));
      let dcc = load<f32>(dcr + o) + dhv * og * (1 - t * t);
      if (pi != 0) dcc += dzo * load<f32>(po + o);
      store<f32>(dzr + gOff + o, dcc * i * (1 - g * g));
      store<f32>(dzr + oOff + o, dzo);
      let dcp: f32;
      if (coupled != 0) {
        const dzi = dcc * (g - cpv) * (i * (1 - i));
        store<f32>(dzr + o, dzi);
        dcp = dcc * (1 - i);
        if (pi != 0) dcp += dzi * load<f32>(pi + o);
      } else {
        const f = load<f32>(gr + hb + o);
        const dzi = dcc * g * (i * (1 - i));
        const dzf = dcc * cpv * (f * (1 - f));
        store<f32>(dzr + o, dzi);
        store<f32>(dzr + hb + o, dzf);
        dcp = dcc * f;
        if (pi != 0) dcp += dzi * load<f32>(pi + o) + dzf * load<f32>(pf + o);
      }
      store<f32>(dcr + o, dcp);
    }
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
    lstmvCellBw(B, H, coupled, gates + <usize>t * sz, pi, pf, po, cs + <usize>t * sh, tanhc + <usize>t * sh, dh, dc, dzt);
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
