// rxrnn kernels (AssemblyScript): vectorised exp / sigmoid / tanh (Cephes expf: range reduction by
// ln 2 and a degree-5 polynomial; relative error ~2 ulp on the clamped range), and the activate entry point.

// @ts-ignore: decorator
@inline export function vexp(x0: v128): v128 {
  const x = f32x4.max(f32x4.min(x0, f32x4.splat(88.0)), f32x4.splat(-87.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  const r2 = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1.0));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
}

// tanh x = sign(x)·(1 − e^{−2|x|}) / (1 + e^{−2|x|})
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const t = vexp(f32x4.mul(f32x4.abs(x), f32x4.splat(-2.0)));
  const y = f32x4.div(f32x4.sub(one, t), f32x4.add(one, t));
  return v128.or(y, v128.and(x, i32x4.splat(0x80000000)));
}

// Scalar forms for the tails (same arithmetic as the vector lanes).
export function ssigmoid(x: f32): f32 {
  return f32x4.extract_lane(vsigmoid(f32x4.splat(x)), 0);
}
export function stanh(x: f32): f32 {
  return f32x4.extract_lane(vtanh(f32x4.splat(x)), 0);
}

// y[i] = act(x[i]) for the benchmarks and tests of the approximations. act: 0 sigmoid, 1 tanh, 2 exp.
export function activate(n: i32, x: usize, y: usize, act: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    v128.store(y + (<usize>i << 2), act == 0 ? vsigmoid(v) : act == 1 ? vtanh(v) : vexp(v));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), act == 0 ? ssigmoid(v) : act == 1 ? stanh(v) : f32x4.extract_lane(vexp(f32x4.splat(v)), 0));
  }
}
