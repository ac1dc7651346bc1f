// Property-based fuzzing of binary input frames, generated from the frame layout (docs/protocol.md):
// a 12-byte header (type, flags, reserved, stream id, seq) with each field valid or wrong, and a
// payload of valid rows, rows with NaN/±∞/denormal bit patterns, lengths that are not a multiple of
// the model's input size or of 4 bytes, or frames shorter than their header. An oracle classifies
// each frame: a valid one must give exactly its steps' outputs, an invalid one exactly one typed
// error (never E_INTERNAL); a bystander on the same model steps bit for bit as if alone.
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import fc from 'fast-check';
import { backendHealth } from '@rxrnn/core';
import { startArena, watchResources, Bystander, Peer, expectUnharmed, type Arena } from '../../test/hostile-harness.js';
import { FRAME_HEADER_BYTES } from '../index.js';

let arena: Arena;
beforeAll(async () => {
  arena = await startArena();
});
afterAll(() => arena.stop());

const SENTINEL = 4294967295;
/** The attacker's streams: id → model input size, and how its outputs arrive. */
const STREAMS = [
  { id: 0, model: 'vec', X: 4, options: { format: 'json' }, counted: 'json' },
  { id: 1, model: 'vec', X: 4, options: { format: 'binary', outputs: false }, counted: null }, // steps, sends nothing
  { id: 2, model: 'gru', X: 3, options: { format: 'binary' }, counted: 'binary' },
  { id: 3, model: 'vec', X: 4, options: { format: 'binary', extras: ['0.c'] }, counted: 'binary' },
] as const;

interface Frame {
  type: number;
  flags: number;
  reserved: number;
  stream: number;
  seq: number;
  /** Payload as float32 bit patterns, or raw bytes (a length that need not be a multiple of 4). */
  payload: { bits: number[] } | { bytes: number[] };
  /** Cut the frame to this many bytes (shorter than the header), when set. */
  cut?: number;
}

const finiteBits = fc.float({ noNaN: true, noDefaultInfinity: true }).map((v) => new Uint32Array(Float32Array.of(v).buffer)[0]);
const badBits = fc.oneof(fc.constantFrom(0x7fc00000, 0xffc00001, 0x7f800000, 0xff800000, 0x7f800001), fc.integer({ min: 0x7f800000, max: 0x7fffffff }));
const anyBits = fc.oneof({ weight: 6, arbitrary: finiteBits }, { weight: 1, arbitrary: badBits }, fc.constantFrom(0x00000001, 0x80000000, 0x7f7fffff));
/** Rows of finite values for the frame's stream (its model's X), usually; other payloads otherwise. */
const payloadFor = (stream: number): fc.Arbitrary<Frame['payload']> => {
  const X = STREAMS.find((s) => s.id === stream)?.X ?? 4;
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }).chain((t) => fc.array(finiteBits, { minLength: t * X, maxLength: t * X })).map((bits) => ({ bits })) },
    { weight: 2, arbitrary: fc.array(anyBits, { maxLength: 25 }).map((bits) => ({ bits })) },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 23 }).map((bytes) => ({ bytes })) },
  );
};
const frame: fc.Arbitrary<Frame> = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) }, fc.integer({ min: 4, max: SENTINEL })).chain((stream) =>
  fc.record({
    type: fc.oneof({ weight: 10, arbitrary: fc.constant(1) }, fc.constant(2), fc.integer({ min: 0, max: 255 })),
    flags: fc.oneof({ weight: 10, arbitrary: fc.constant(0) }, fc.integer({ min: 0, max: 255 })),
    reserved: fc.oneof({ weight: 10, arbitrary: fc.constant(0) }, fc.integer({ min: 0, max: 0xffff })),
    stream: fc.constant(stream),
    seq: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: 0, max: SENTINEL })),
    payload: payloadFor(stream),
    cut: fc.oneof({ weight: 15, arbitrary: fc.constant(undefined) }, fc.integer({ min: 0, max: FRAME_HEADER_BYTES - 1 })),
  }),
);

function encode(f: Frame): Uint8Array {
  const body = 'bits' in f.payload ? new Uint8Array(Uint32Array.from(f.payload.bits).buffer) : Uint8Array.from(f.payload.bytes);
  const out = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, f.type);
  v.setUint8(1, f.flags);
  v.setUint16(2, f.reserved, true);
  v.setUint32(4, f.stream, true);
  v.setUint32(8, f.seq, true);
  out.set(body, FRAME_HEADER_BYTES);
  return f.cut === undefined ? out : out.subarray(0, f.cut);
}

/** What the server must do with a frame: step `steps` times on `stream`, or answer one error. */
function classify(f: Frame): { steps: number; stream: number } | 'error' {
  if (f.cut !== undefined || f.type !== 1 || f.flags !== 0 || f.reserved !== 0) return 'error';
  const s = STREAMS.find((q) => q.id === f.stream);
  if (!s) return 'error';
  const { payload } = f;
  const bits = 'bits' in payload ? payload.bits : payload.bytes.length % 4 === 0 ? Array.from(new Uint32Array(Uint8Array.from(payload.bytes).buffer)) : null;
  if (!bits) return 'error';
  const n = bits.length;
  if (n === 0 || n % s.X !== 0) return 'error';
  const finite = new Float32Array(Uint32Array.from(bits).buffer).every(Number.isFinite);
  return finite ? { steps: n / s.X, stream: s.id } : 'error';
}

describe('hostile: fuzzed binary frames', () => {
  it('a valid frame gives exactly its outputs, an invalid one exactly one typed error; the bystander is unharmed', async () => {
    const watch = watchResources();
    const bystander = await Bystander.start(arena, 'vec');
    let valid = 0;
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 25 }), async (frames) => {
        const attacker = await Peer.connect(arena.url, { keep: 100_000 });
        for (const s of STREAMS) attacker.sendJson({ type: 'open', stream: s.id, model: s.model, options: s.options });
        for (const s of STREAMS) await attacker.next((m) => m.type === 'opened' && m.stream === s.id);
        const steps = new Map<number, number>();
        let errors = 0;
        for (const f of frames) {
          const c = classify(f);
          if (c === 'error') errors++;
          else steps.set(c.stream, (steps.get(c.stream) ?? 0) + c.steps);
          attacker.send(encode(f));
        }
        valid += frames.length - errors;
        invalid += errors;
        attacker.sendJson({ type: 'snapshot', stream: SENTINEL, req: SENTINEL });
        await attacker.nextError(SENTINEL, 10_000);
        // Every valid step's output arrives, in order, with its seq.
        for (const s of STREAMS) {
          const n = steps.get(s.id) ?? 0;
          for (let t = 0; t < n && s.counted; t++) {
            if (s.counted === 'json') await attacker.next((m) => m.type === 'output' && m.stream === s.id && m.seq === t, 10_000);
            else await attacker.next((m) => m.type === 'binary' && m.data.readUInt32LE(4) === s.id && m.data.readUInt32LE(8) === t, 10_000);
          }
        }
        attacker.sendJson({ type: 'snapshot', stream: 1, req: 1 }); // stream 1 sends no outputs: its seq counts its steps
        const snap = (await attacker.next((m) => m.type === 'snapshot' && m.stream === 1, 10_000)) as { seq: number };
        expect(snap.seq).toBe(steps.get(1) ?? 0);
        attacker.terminate();
        expect(attacker.errors.get('E_INTERNAL') ?? 0).toBe(0);
        expect([...attacker.errors.values()].reduce((a, b) => a + b, 0)).toBe(errors + 1); // + the sentinel's E_NO_STREAM
      }),
      { numRuns: 60, interruptAfterTimeLimit: 20_000 },
    );
    expect(valid).toBeGreaterThan(60);
    expect(invalid).toBeGreaterThan(60);
    expect(backendHealth()).toMatchObject({ ok: true });
    for (let i = 0; i < 100 && arena.server.health().sockets > 1; i++) await new Promise((r) => setTimeout(r, 20));
    expectUnharmed(await bystander.stop(), await watch.end(arena));
  });
});
