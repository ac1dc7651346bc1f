/**
 * Check a function's tfjs gradients against central finite differences.
 *
 * tfjs computes in float32, so the check uses a step h (default 1e-2 on values of order 1) and a
 * relative tolerance around 1e-2: a wrong gradient (a missing term, a wrong sign, a transposed
 * matrix) is off by far more than that, while float32 round-off is well inside it.
 */
import * as tf from '@tensorflow/tfjs';

export interface GradCheckOptions {
  /** Finite-difference step. Default 1e-2. */
  h?: number;
  /** Tolerance: |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|). Defaults 1e-3, 2e-2. */
  atol?: number;
  rtol?: number;
  /** Check at most this many coordinates per variable (spread evenly). Default 24. */
  maxPerVariable?: number;
}

export interface GradCheckReport {
  checked: number;
  worst: { name: string; index: number; analytic: number; numeric: number } | null;
}

/**
 * `loss` must be a scalar function of the given variables (a deterministic forward pass).
 * Returns a report; throws with the worst coordinate when any check fails.
 */
export function gradCheck(loss: () => tf.Scalar, variables: Record<string, tf.Variable>, options: GradCheckOptions = {}): GradCheckReport {
  const h = options.h ?? 1e-2;
  const atol = options.atol ?? 1e-3;
  const rtol = options.rtol ?? 2e-2;
  const maxPer = options.maxPerVariable ?? 24;
  const names = Object.keys(variables);
  const varList = names.map((n) => variables[n]);
  const { grads, value } = tf.variableGrads(loss, varList);
  value.dispose();
  let checked = 0;
  let worst: GradCheckReport['worst'] = null;
  let worstRatio = 0;
  try {
    for (const name of names) {
      const v = variables[name];
      const g = grads[v.name];
      if (!g) throw new Error(`gradCheck: no gradient for variable ${name}`);
      const analytic = g.dataSync();
      const base = Float32Array.from(v.dataSync());
      const n = base.length;
      const stride = Math.max(1, Math.floor(n / maxPer));
      for (let i = 0; i < n; i += stride) {
        const probe = (delta: number) => {
          const data = Float32Array.from(base);
          data[i] += delta;
          tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
          return tf.tidy(() => loss().dataSync()[0]);
        };
        const numeric = (probe(h) - probe(-h)) / (2 * h);
        const a = analytic[i];
        const tol = atol + rtol * Math.max(Math.abs(a), Math.abs(numeric));
        const ratio = Math.abs(a - numeric) / tol;
        checked++;
        if (ratio > worstRatio || worst === null) {
          worstRatio = ratio;
          worst = { name, index: i, analytic: a, numeric };
        }
      }
      tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
    }
  } finally {
    for (const g of Object.values(grads)) g.dispose();
  }
  if (worstRatio > 1 && worst) {
    throw new Error(`gradCheck: ${worst.name}[${worst.index}]: analytic ${worst.analytic}, finite difference ${worst.numeric} (atol ${atol}, rtol ${rtol}, h ${h})`);
  }
  return { checked, worst };
}
