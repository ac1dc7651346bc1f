/**
 * {@link address} as one op with a hand-written gradient: the same equations (5–9) and the same
 * numbers within float32 round-off, computed in float64 loops over [B, N, M], and one backward
 * pass instead of ~45 tfjs kernels forward and ~200 backward per head and step. The NTM steps on
 * it by default (`ntmCell({ fusedAddressing })`); the composition of the per-equation functions
 * (content.ts … sharpen.ts) stays the reference it is tested against (values and gradients).
 *
 * Backward, per row b (dw given; ⟨·,·⟩ sums over i):
 *
 *     dq = w ⊙ (dw − ⟨w, dw⟩),  dγ = ⟨dq, log(w̃ + ε)⟩,  dw̃ = γ dq / (w̃ + ε)           (sharpen, eq. 9)
 *     dw^g(m) = Σ_k s(k) dw̃(m + k),  ds(k) = Σ_i dw̃(i) w^g(i − k),  dŝ = s ⊙ (ds − ⟨s, ds⟩)   (shift, eq. 8)
 *     dw^c = g dw^g,  dw_{t−1} = (1 − g) dw^g,  dĝ = ⟨dw^g, w^c − w_{t−1}⟩ g (1 − g)        (eq. 7)
 *     dz = w^c ⊙ (dw^c − ⟨w^c, dw^c⟩),  dβ = ⟨dz, K⟩,  dK = β dz                          (eq. 5)
 *     K_i = d_i / (a_i c):  dd_i = dK_i / (a_i c),  da_i = −dK_i K_i / a_i,  dc = −⟨dK, K⟩ / c  (eq. 6)
 *     dM_ij = dd_i k_j + da_i M_ij / a_i,  dk_j = Σ_i dd_i M_ij + dc k_j / c
 *     dβ̂ = dβ σ(β̂),  dγ̂ = dγ σ(γ̂)                                                      (softplus′ = σ)
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { COSINE_EPSILON } from './content.js';
import { SHARPEN_EPSILON } from './sharpen.js';
import { checkShape } from './check.js';
import type { AddressingOutputs } from './address.js';

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Softmax of `x[0 … n)` into `out[o … o+n)`. */
function softmaxInto(x: Float64Array, out: Float64Array, o: number, n: number): void {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (x[i] > m) m = x[i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += out[o + i] = Math.exp(x[i] - m);
  for (let i = 0; i < n; i++) out[o + i] /= sum;
}

export function addressFused(memory: tf.Tensor3D, head: AddressingOutputs, wPrev: tf.Tensor2D): tf.Tensor2D {
  const fn = 'addressFused';
  checkShape(fn, 'memory', memory, [-1, -1, -1], 'a tensor of shape [B, N, M]');
  const [B, N, M] = memory.shape;
  checkShape(fn, 'head.key', head?.key, [B, M], `a tensor of shape [${B}, ${M}]`);
  for (const k of ['betaHat', 'gHat', 'gammaHat'] as const) checkShape(fn, `head.${k}`, head[k], [B, 1], `a tensor of shape [${B}, 1]`);
  checkShape(fn, 'head.sHat', head.sHat, [B, -1], `a tensor of shape [${B}, 2S + 1]`);
  checkShape(fn, 'wPrev', wPrev, [B, N], `a tensor of shape [${B}, ${N}]`);
  const SW = head.sHat.shape[1];
  if (SW % 2 !== 1) throw rxrnnError(ErrorCodes.SHAPE, fn, 'head.sHat', `a tensor of shape [${B}, 2S + 1] (an odd number of shifts)`, describe(head.sHat));
  const S = (SW - 1) / 2;
  const mod = (i: number) => ((i % N) + N) % N;

  const op = tf.customGrad(((mem: tf.Tensor, key: tf.Tensor, bh: tf.Tensor, gh: tf.Tensor, sh: tf.Tensor, yh: tf.Tensor, wp: tf.Tensor) => {
    const Mv = mem.dataSync() as Float32Array; // [B·N·M]
    const kv = key.dataSync() as Float32Array; // [B·M]
    const bhv = bh.dataSync();
    const ghv = gh.dataSync();
    const shv = sh.dataSync();
    const yhv = yh.dataSync();
    const wpv = wp.dataSync(); // [B·N]
    const K = new Float64Array(B * N);
    const a = new Float64Array(B * N);
    const c = new Float64Array(B);
    const beta = new Float64Array(B);
    const wc = new Float64Array(B * N);
    const g = new Float64Array(B);
    const wg = new Float64Array(B * N);
    const s = new Float64Array(B * SW);
    const wt = new Float64Array(B * N);
    const lg = new Float64Array(B * N);
    const gamma = new Float64Array(B);
    const w = new Float64Array(B * N);
    const tmp = new Float64Array(Math.max(N, SW));
    for (let b = 0; b < B; b++) {
      const on = b * N;
      // eq. 6: cosine similarity with ε in the norms
      let kk = COSINE_EPSILON;
      for (let j = 0; j < M; j++) kk += kv[b * M + j] * kv[b * M + j];
      c[b] = Math.sqrt(kk);
      for (let i = 0; i < N; i++) {
        const om = (on + i) * M;
        let d = 0;
        let mm = COSINE_EPSILON;
        for (let j = 0; j < M; j++) {
          d += Mv[om + j] * kv[b * M + j];
          mm += Mv[om + j] * Mv[om + j];
        }
        a[on + i] = Math.sqrt(mm);
        K[on + i] = d / (a[on + i] * c[b]);
      }
      // eq. 5
      beta[b] = softplus(bhv[b]);
      for (let i = 0; i < N; i++) tmp[i] = beta[b] * K[on + i];
      softmaxInto(tmp, wc, on, N);
      // eq. 7
      g[b] = sigmoid(ghv[b]);
      for (let i = 0; i < N; i++) wg[on + i] = g[b] * wc[on + i] + (1 - g[b]) * wpv[on + i];
      // eq. 8
      for (let j = 0; j < SW; j++) tmp[j] = shv[b * SW + j];
      softmaxInto(tmp, s, b * SW, SW);
      for (let i = 0; i < N; i++) {
        let v = 0;
        for (let j = 0; j < SW; j++) v += s[b * SW + j] * wg[on + mod(i - (j - S))];
        wt[on + i] = v;
      }
      // eq. 9, guarded: softmax(γ log(w̃ + ε))
      gamma[b] = 1 + softplus(yhv[b]);
      for (let i = 0; i < N; i++) {
        lg[on + i] = Math.log(wt[on + i] + SHARPEN_EPSILON);
        tmp[i] = gamma[b] * lg[on + i];
      }
      softmaxInto(tmp, w, on, N);
    }
    return {
      value: tf.tensor2d(Float32Array.from(w), [B, N]),
      gradFunc: (dy: tf.Tensor) => {
        const dw = dy.dataSync();
        const dM = new Float32Array(B * N * M);
        const dk = new Float32Array(B * M);
        const dbh = new Float32Array(B);
        const dgh = new Float32Array(B);
        const dsh = new Float32Array(B * SW);
        const dyh = new Float32Array(B);
        const dwp = new Float32Array(B * N);
        const dq = new Float64Array(N);
        const dwt = new Float64Array(N);
        const dwg = new Float64Array(N);
        const dz = new Float64Array(N);
        const ds = new Float64Array(SW);
        for (let b = 0; b < B; b++) {
          const on = b * N;
          // sharpen
          let sw = 0;
          for (let i = 0; i < N; i++) sw += w[on + i] * dw[on + i];
          let dgamma = 0;
          for (let i = 0; i < N; i++) {
            dq[i] = w[on + i] * (dw[on + i] - sw);
            dgamma += dq[i] * lg[on + i];
            dwt[i] = (gamma[b] * dq[i]) / (wt[on + i] + SHARPEN_EPSILON);
          }
          dyh[b] = dgamma * sigmoid(yhv[b]);
          // shift
          for (let m = 0; m < N; m++) {
            let v = 0;
            for (let j = 0; j < SW; j++) v += s[b * SW + j] * dwt[mod(m + (j - S))];
            dwg[m] = v;
          }
          let sds = 0;
          for (let j = 0; j < SW; j++) {
            let v = 0;
            for (let i = 0; i < N; i++) v += dwt[i] * wg[on + mod(i - (j - S))];
            ds[j] = v;
            sds += s[b * SW + j] * v;
          }
          for (let j = 0; j < SW; j++) dsh[b * SW + j] = s[b * SW + j] * (ds[j] - sds);
          // interpolation
          let dg = 0;
          for (let i = 0; i < N; i++) {
            dg += dwg[i] * (wc[on + i] - wpv[on + i]);
            dwp[on + i] = (1 - g[b]) * dwg[i];
          }
          dgh[b] = dg * g[b] * (1 - g[b]);
          // content softmax
          let swc = 0;
          for (let i = 0; i < N; i++) swc += wc[on + i] * g[b] * dwg[i];
          let dbeta = 0;
          for (let i = 0; i < N; i++) {
            dz[i] = wc[on + i] * (g[b] * dwg[i] - swc);
            dbeta += dz[i] * K[on + i];
          }
          dbh[b] = dbeta * sigmoid(bhv[b]);
          // cosine
          let dc = 0;
          for (let i = 0; i < N; i++) {
            const dK = beta[b] * dz[i];
            dc -= (dK * K[on + i]) / c[b];
            const dd = dK / (a[on + i] * c[b]);
            const da = (-dK * K[on + i]) / a[on + i];
            const om = (on + i) * M;
            for (let j = 0; j < M; j++) {
              dM[om + j] = dd * kv[b * M + j] + (da * Mv[om + j]) / a[on + i];
              dk[b * M + j] += dd * Mv[om + j];
            }
          }
          for (let j = 0; j < M; j++) dk[b * M + j] += (dc * kv[b * M + j]) / c[b];
        }
        return [
          tf.tensor3d(dM, [B, N, M]),
          tf.tensor2d(dk, [B, M]),
          tf.tensor2d(dbh, [B, 1]),
          tf.tensor2d(dgh, [B, 1]),
          tf.tensor2d(dsh, [B, SW]),
          tf.tensor2d(dyh, [B, 1]),
          tf.tensor2d(dwp, [B, N]),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(memory, head.key, head.betaHat, head.gHat, head.sHat, head.gammaHat, wPrev) as tf.Tensor2D;
}
