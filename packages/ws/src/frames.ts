/**
 * Binary frames of `rxrnn.v1` (little-endian): a 12-byte header, then the payload.
 *
 *   offset 0  u8   frame type: 1 = input (client → server), 2 = output (server → client)
 *   offset 1  u8   input: payload element type (0 = float32, 1 = int16 PCM); output: 0
 *   offset 2  u16  reserved, 0
 *   offset 4  u32  stream id
 *   offset 8  u32  input: 0 (reserved); output: seq of the step
 *   offset 12 …    input: the payload (T·X float32 for vector and char models, samples for audio);
 *                  output: the Y float32 values of y
 *
 * Pure (no Node APIs): the browser client shares it.
 */
import type { IoDtype, IoPayload } from '@rxrnn/core';
import { wsError, WsErrorCodes } from './protocol.js';

export const FrameType = { INPUT: 1, OUTPUT: 2 } as const;
export const FRAME_HEADER_BYTES = 12;
/** An input frame's element type, by its flags byte. */
export const PAYLOAD_DTYPES: readonly IoDtype[] = ['float32', 'int16'];
const BYTES: Record<IoDtype, number> = { float32: 4, int16: 2 };

/**
 * Encode inputs for a stream as a binary input frame: `T·X` float32 values (vector and char
 * models), or signed 16-bit samples (PCM16, for io kinds that take audio).
 */
export function encodeInputFrame(stream: number, data: Float32Array | Int16Array): Uint8Array {
  if (data instanceof Float32Array) return encodeFrame(FrameType.INPUT, stream, 0, data);
  const out = new Uint8Array(FRAME_HEADER_BYTES + data.byteLength);
  const v = new DataView(out.buffer);
  v.setUint8(0, FrameType.INPUT);
  v.setUint8(1, PAYLOAD_DTYPES.indexOf('int16'));
  v.setUint32(4, stream, true);
  for (let i = 0; i < data.length; i++) v.setInt16(FRAME_HEADER_BYTES + 2 * i, data[i], true);
  return out;
}

/** Encode a step's output as a binary output frame. */
export function encodeOutputFrame(stream: number, seq: number, y: Float32Array): Uint8Array {
  return encodeFrame(FrameType.OUTPUT, stream, seq, y);
}

function encodeFrame(type: number, stream: number, seq: number, data: Float32Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + data.byteLength);
  const v = new DataView(out.buffer);
  v.setUint8(0, type);
  v.setUint32(4, stream, true);
  v.setUint32(8, seq, true);
  for (let i = 0; i < data.length; i++) v.setFloat32(FRAME_HEADER_BYTES + 4 * i, data[i], true);
  return out;
}

/** A binary frame's header fields. Throws `E_PROTOCOL` on a malformed header. */
function header(bytes: Uint8Array, fn: string): { type: number; flags: number; stream: number; seq: number; view: DataView } {
  if (bytes.byteLength < FRAME_HEADER_BYTES) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame', `at least ${FRAME_HEADER_BYTES} bytes (the header)`, `${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint8(0);
  if (type !== FrameType.INPUT && type !== FrameType.OUTPUT) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame[0]', 'frame type 1 (input) or 2 (output)', `${type}`);
  if (view.getUint16(2, true) !== 0) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame[2..3]', 'reserved zeros', 'non-zero bytes');
  return { type, flags: view.getUint8(1), stream: view.getUint32(4, true), seq: view.getUint32(8, true), view };
}

/** Decode a float32 frame's header and payload (an output frame, or a float32 input frame). Throws `E_PROTOCOL` on a malformed frame. */
export function decodeFrame(bytes: Uint8Array): { type: number; stream: number; seq: number; data: Float32Array } {
  const fn = 'decodeFrame';
  const h = header(bytes, fn);
  if (h.flags !== 0) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame[1..3]', 'reserved zeros', 'non-zero bytes');
  const payload = bytes.byteLength - FRAME_HEADER_BYTES;
  if (payload % 4 !== 0) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame.payload', 'a multiple of 4 bytes (float32 values)', `${payload} bytes`);
  const data = new Float32Array(payload / 4);
  for (let i = 0; i < data.length; i++) data[i] = h.view.getFloat32(FRAME_HEADER_BYTES + 4 * i, true);
  return { type: h.type, stream: h.stream, seq: h.seq, data };
}

/**
 * Decode a client's binary input frame: its stream and its payload as host-order values of the
 * element type its flags byte names. Throws `E_PROTOCOL` on a malformed frame.
 */
export function decodeInputFrame(bytes: Uint8Array): { stream: number; payload: IoPayload } {
  const fn = 'binary input';
  const h = header(bytes, fn);
  if (h.type !== FrameType.INPUT) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame[0]', 'frame type 1 (input)', `${h.type}`);
  const dtype = PAYLOAD_DTYPES[h.flags];
  if (dtype === undefined) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame[1]', `a payload type: 0 (float32) or 1 (int16)`, `${h.flags}`);
  const n = bytes.byteLength - FRAME_HEADER_BYTES;
  if (n % BYTES[dtype] !== 0) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame.payload', `a multiple of ${BYTES[dtype]} bytes (${dtype} values)`, `${n} bytes`);
  const { view } = h;
  if (dtype === 'int16') {
    const data = new Int16Array(n / 2);
    for (let i = 0; i < data.length; i++) data[i] = view.getInt16(FRAME_HEADER_BYTES + 2 * i, true);
    return { stream: h.stream, payload: { dtype, data } };
  }
  const data = new Float32Array(n / 4);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(FRAME_HEADER_BYTES + 4 * i, true);
  return { stream: h.stream, payload: { dtype, data } };
}
