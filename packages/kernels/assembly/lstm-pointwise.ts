// rxrnn kernels (AssemblyScript): the LSTM's pointwise step, forward and backward, shared by the plain
// LSTM / LSTMP (lstm.ts: no peepholes, not coupled) and the peephole / CIFG variants (lstm-variant.ts).
// Both are @inline: the plain LSTM's calls pass constant 0s, so its copy compiles without the variant branches.
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

// Pointwise part of one step for B rows; z [B, G] is overwritten with the activated gates.
@inline
export function lstmCellFw(B: i32, H: i32, coupled: i32, z: usize, pi: usize, pf: usize, po: usize, cp: usize, cn: usize, hn: usize, tc: usize): void {
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

// dz [B, G] from (dh, dc) at one step; dc becomes dc_{t−1} (through f and the peepholes p_i, p_f).
@inline
export function lstmCellBw(B: i32, H: i32, coupled: i32, gates: usize, pi: usize, pf: usize, po: usize, cp: usize, tc: usize, dh: usize, dc: usize, dz: usize): void {
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

