/**
 * Read and write safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`,
 * then the raw little-endian tensor bytes. Pure JS, works in Node and browsers.
 *
 * Reading converts every supported dtype (F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL) to
 * Float32Array; writing produces F32.
 */
import { rxrnnError, ErrorCodes, describe } from './errors.js';

export interface NamedArray {
  shape: number[];
  data: Float32Array;
  /** The dtype in the file. */
  dtype?: string;
}
export type NamedArrays = Record<string, NamedArray>;

const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function f16(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Parse a safetensors file. `metadata` holds the `__metadata__` strings, if any. */
export function readSafetensors(bytes: Uint8Array): NamedArrays {
  return parseSafetensors(bytes).tensors;
}

/** Parse a safetensors file, returning its tensors and its metadata. */
export function parseSafetensors(bytes: Uint8Array): { tensors: NamedArrays; metadata: Record<string, string> } {
  const fn = 'readSafetensors';
  if (!(bytes instanceof Uint8Array)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'bytes', 'a Uint8Array', describe(bytes));
  if (bytes.length < 8) throw rxrnnError(ErrorCodes.FORMAT, fn, 'bytes', 'at least 8 bytes (header length)', `${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) throw rxrnnError(ErrorCodes.FORMAT, fn, 'bytes', `a header length ≤ ${bytes.length - 8}`, `${n}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw rxrnnError(ErrorCodes.FORMAT, fn, 'bytes', 'a JSON header', `unparseable JSON (${(e as Error).message})`);
  }
  const base = 8 + n;
  const tensors: NamedArrays = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const size = e.dtype ? BYTES[e.dtype] : undefined;
    if (!size) throw rxrnnError(ErrorCodes.DTYPE, fn, `tensor "${name}".dtype`, `one of ${Object.keys(BYTES).join(', ')}`, describe(e.dtype));
    if (!Array.isArray(e.shape) || !Array.isArray(e.data_offsets)) throw rxrnnError(ErrorCodes.FORMAT, fn, `tensor "${name}"`, '{dtype, shape, data_offsets}', describe(e));
    const count = e.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = e.data_offsets;
    if (end - begin !== count * size || base + end > bytes.length) {
      throw rxrnnError(ErrorCodes.FORMAT, fn, `tensor "${name}".data_offsets`, `${count * size} bytes inside the file`, `[${begin}, ${end}]`);
    }
    const data = new Float32Array(count);
    const at = base + begin;
    for (let i = 0; i < count; i++) {
      const o = at + i * size;
      switch (e.dtype) {
        case 'F32': data[i] = view.getFloat32(o, true); break;
        case 'F64': data[i] = view.getFloat64(o, true); break;
        case 'F16': data[i] = f16(view.getUint16(o, true)); break;
        case 'BF16': data[i] = new Float32Array(new Uint32Array([view.getUint16(o, true) << 16]).buffer)[0]; break;
        case 'I64': data[i] = Number(view.getBigInt64(o, true)); break;
        case 'I32': data[i] = view.getInt32(o, true); break;
        case 'I16': data[i] = view.getInt16(o, true); break;
        case 'I8': data[i] = view.getInt8(o); break;
        default: data[i] = view.getUint8(o); break; // U8, BOOL
      }
    }
    tensors[name] = { shape: e.shape.slice(), data, dtype: e.dtype };
  }
  return { tensors, metadata };
}

/** Write named float32 arrays as a safetensors file (F32, names sorted, header padded to 8 bytes). */
export function writeSafetensors(tensors: Record<string, { shape: number[]; data: ArrayLike<number> }>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw rxrnnError(ErrorCodes.SHAPE, 'writeSafetensors', `tensors["${name}"]`, `${count} values for shape [${t.shape.join(', ')}]`, `${t.data.length} values`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = JSON.stringify(header);
  while ((8 + new TextEncoder().encode(json).length) % 8 !== 0) json += ' ';
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const d = tensors[name].data;
    for (let i = 0; i < d.length; i++, at += 4) view.setFloat32(at, d[i], true);
  }
  return out;
}
