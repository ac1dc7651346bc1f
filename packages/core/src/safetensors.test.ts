import { describe, it, expect } from 'vitest';
import { readSafetensors, parseSafetensors, writeSafetensors } from './index.js';

/** A safetensors file built by hand, as the format's spec describes it. */
function handMade(entries: { name: string; dtype: string; shape: number[]; bytes: number[] }[]): Uint8Array {
  let offset = 0;
  const header: Record<string, unknown> = { __metadata__: { framework: 'test' } };
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const e of entries) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  return out;
}

describe('safetensors', () => {
  it('round-trips float32 exactly, with metadata', () => {
    const data = Float32Array.from([1.5, -2.25, Math.PI, 1e-30, 3.4e38, 0]);
    const bytes = writeSafetensors({ w: { shape: [2, 3], data }, b: { shape: [1], data: [7] } }, { a: 'b' });
    expect(bytes.length % 4).toBe(0);
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ a: 'b' });
    expect(tensors.w.shape).toEqual([2, 3]);
    expect(Array.from(tensors.w.data)).toEqual(Array.from(data));
    expect(Array.from(tensors.b.data)).toEqual([7]);
  });

  it('reads F16, BF16, F64 and I64 as float32', () => {
    // 1.0 in F16 = 0x3C00; -2.0 = 0xC000; 1.0 in BF16 = 0x3F80; 0.5 = 0x3F00.
    const f64 = new Uint8Array(new Float64Array([0.25]).buffer);
    const i64 = new Uint8Array(new BigInt64Array([-3n]).buffer);
    const t = readSafetensors(
      handMade([
        { name: 'h', dtype: 'F16', shape: [2], bytes: [0x00, 0x3c, 0x00, 0xc0] },
        { name: 'bf', dtype: 'BF16', shape: [2], bytes: [0x80, 0x3f, 0x00, 0x3f] },
        { name: 'd', dtype: 'F64', shape: [1], bytes: Array.from(f64) },
        { name: 'n', dtype: 'I64', shape: [1], bytes: Array.from(i64) },
      ]),
    );
    expect(Array.from(t.h.data)).toEqual([1, -2]);
    expect(Array.from(t.bf.data)).toEqual([1, 0.5]);
    expect(Array.from(t.d.data)).toEqual([0.25]);
    expect(Array.from(t.n.data)).toEqual([-3]);
  });

  it('names what is wrong in a malformed file', () => {
    expect(() => readSafetensors(new Uint8Array(3))).toThrow(/readSafetensors: bytes: expected at least 8 bytes/);
    const big = new Uint8Array(16);
    new DataView(big.buffer).setBigUint64(0, 1000n, true);
    expect(() => readSafetensors(big)).toThrow(/header length ≤ 8, received 1000/);
    expect(() => readSafetensors(handMade([{ name: 'x', dtype: 'Q4', shape: [1], bytes: [0] }]))).toThrow(/tensor "x".dtype: expected one of F64/);
    expect(() => readSafetensors(handMade([{ name: 'x', dtype: 'F32', shape: [2], bytes: [0, 0, 0, 0] }]))).toThrow(/tensor "x".data_offsets: expected 8 bytes/);
    expect(() => writeSafetensors({ x: { shape: [2, 2], data: [1, 2, 3] } })).toThrow(/writeSafetensors: tensors\["x"\]: expected 4 values/);
  });
});
