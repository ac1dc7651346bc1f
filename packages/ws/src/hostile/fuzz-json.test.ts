// Property-based fuzzing of JSON text frames, generated from the protocol's grammar (docs/protocol.md):
// every message type with its fields valid, mutated, mistyped, missing or extra; inputs of every
// shape (right and wrong lengths, strings, nulls, nesting thousands deep); forged snapshots; huge
// numbers in every integer field; plus frames that are not messages at all (garbage, truncated
// JSON, JSON that is not an object, numbers beyond float64). Whatever arrives, the server answers
// with typed errors (never E_INTERNAL), keeps the socket unless it misbehaves persistently (4002),
// and a bystander on the same model steps bit for bit as if alone.
//
// Values beyond float32's range inside `x` and `last` are stream-isolation.test.ts's concern.
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import fc from 'fast-check';
import { FLOAT32_MAX, backendHealth } from '@rxrnn/core';
import { startArena, watchResources, Bystander, Peer, expectUnharmed, type Arena } from '../../test/hostile-harness.js';

let arena: Arena;
beforeAll(async () => {
  arena = await startArena();
});
afterAll(() => arena.stop());

/** A sentinel request: its reply (an error or a snapshot with this `req`) arrives after every earlier message was handled. */
const SENTINEL = 4294967295;

/** Finite float32 values, edges included. */
const f32 = fc.oneof({ weight: 4, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }) }, fc.constantFrom(0, -0, FLOAT32_MAX, -FLOAT32_MAX, 1.4e-45, 1, -1));
/** Numbers for integer fields: small, edge, huge (JSON has no NaN or ∞: those become null). */
const anyNumber = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 8 }) },
  fc.constantFrom(-1, 0.5, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 2 ** 64, 1e308, -1e308, Number.MIN_VALUE),
  fc.double(),
  fc.integer(),
);
/** Anything small, of any JSON type. */
const junk = fc.oneof(fc.constant(null), fc.boolean(), fc.string({ maxLength: 12 }), anyNumber, fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }));
const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
/** Stream ids: mostly the open ones (0–3), sometimes any u32, sometimes not an id. */
const streamId = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: SENTINEL - 1 }) }, { weight: 1, arbitrary: junk });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

const row = fc.oneof({ weight: 4, arbitrary: fc.array(f32, { minLength: 3, maxLength: 4 }) }, fc.array(f32, { maxLength: 9 }), fc.array(fc.oneof(f32, junk), { minLength: 1, maxLength: 4 }));
const x = fc.oneof(
  { weight: 3, arbitrary: row },
  { weight: 3, arbitrary: fc.array(row, { minLength: 1, maxLength: 8 }) },
  fc.integer({ min: 2, max: 3000 }).map(nested),
  fc.integer({ min: 2, max: 60 }).map((d) => [[1, 2, 3, nested(d)]]),
  junk,
);
const shape = fc.oneof(fc.constant([1, 16]), fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), anyNumber), { maxLength: 4 }));
const entry = fc.record({ shape, data: fc.oneof(fc.array(f32, { minLength: 16, maxLength: 16 }), fc.array(fc.oneof(f32, junk), { maxLength: 20 }), junk) }, { requiredKeys: [] });
const snapshot = fc.oneof(
  fc.record(
    {
      format: fc.oneof({ weight: 5, arbitrary: fc.constant('rxrnn.state') }, junk),
      version: fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, junk),
      kind: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('stack', 'gru') }, junk),
      batch: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, fc.constantFrom(4_000_000, 17_000_000), anyNumber),
      tensors: fc.oneof({ weight: 3, arbitrary: fc.record({ '0.h': entry, '0.c': entry }, { requiredKeys: [] }) }, fc.dictionary(fc.string({ maxLength: 6 }), entry, { maxKeys: 4 }), junk),
    },
    { requiredKeys: [] },
  ),
  junk,
);
const options = fc.oneof(
  fc.record(
    {
      outputs: fc.oneof(fc.boolean(), junk),
      extras: fc.oneof(fc.boolean(), fc.array(fc.constantFrom('0.i', '0.c', 'z', 'f'), { maxLength: 3 }), junk),
      format: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('json', 'binary') }, junk),
      snapshot,
      seq: anyNumber,
      last: fc.oneof(fc.array(f32, { maxLength: 5 }), junk),
      prime: fc.oneof(fc.string({ maxLength: 20 }), junk),
      generate: anyNumber,
      temperature: anyNumber,
      seed: anyNumber,
      bogus: junk,
    },
    { requiredKeys: [] },
  ),
  junk,
);
const req = maybe(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 1000 }) }, junk));
const message = fc.oneof(
  fc.record({ type: fc.constant('open'), stream: streamId, model: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('vec', 'gru') }, fc.string({ maxLength: 30 }), junk), options: maybe(options), req }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('input'), stream: streamId, x: maybe(x), text: maybe(fc.oneof(fc.string({ maxLength: 10 }), junk)), ids: maybe(fc.oneof(fc.array(anyNumber, { maxLength: 4 }), junk)), req }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('generate'), stream: streamId, n: anyNumber, temperature: maybe(anyNumber), seed: maybe(anyNumber), req }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constantFrom('reset', 'snapshot', 'close'), stream: streamId, req }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('restore'), stream: streamId, snapshot, seq: maybe(anyNumber), last: maybe(fc.oneof(fc.array(f32, { maxLength: 5 }), junk)), req }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.oneof(fc.string({ maxLength: 10 }), junk), stream: streamId, req }, { requiredKeys: [] }),
);
/** One text frame: a message, or a frame that is not one. */
const frame = fc.oneof(
  { weight: 40, arbitrary: message.map((m) => JSON.stringify(m)) },
  // An input row whose last value is an array nested 12,000 deep (written as text: JSON.stringify cannot).
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((s) => `{"type":"input","stream":${s},"x":[[1,2,3,${'['.repeat(12_000)}${']'.repeat(12_000)}]]}`) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  { weight: 3, arbitrary: fc.tuple(message, fc.nat()).map(([m, k]) => JSON.stringify(m).slice(0, k % 60)) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 3, arbitrary: message.map((m) => JSON.stringify(m).replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/i, '1e400')) },
);

describe('hostile: fuzzed JSON frames', () => {
  it('any sequence of frames gets typed errors or answers, never E_INTERNAL; the bystander is unharmed', async () => {
    const watch = watchResources();
    const bystander = await Bystander.start(arena, 'vec');
    const codes = new Map<string, number>();
    let frames = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 25 }), async (texts) => {
        const attacker = await Peer.connect(arena.url);
        for (let s = 0; s < 4; s++) attacker.sendJson({ type: 'open', stream: s, model: s % 2 ? 'gru' : 'vec', options: { format: s === 3 ? 'binary' : 'json' } });
        for (const t of texts) attacker.send(t);
        frames += texts.length;
        attacker.sendJson({ type: 'snapshot', stream: SENTINEL, req: SENTINEL });
        const outcome = await Promise.race([attacker.next((m) => 'req' in m && m.req === SENTINEL, 10_000).then(() => 'answered'), attacker.closed().then((c) => `closed ${c}`)]);
        attacker.terminate();
        for (const [c, n] of attacker.errors) codes.set(c, (codes.get(c) ?? 0) + n);
        const internal = attacker.errors.get('E_INTERNAL') ?? 0;
        if (internal) throw new Error(`E_INTERNAL for ${JSON.stringify(texts).slice(0, 500)}: ${JSON.stringify(attacker.recent.filter((m) => m.type === 'error').slice(-2))}`);
        expect(['answered', 'closed 4002']).toContain(outcome);
      }),
      { numRuns: 100, interruptAfterTimeLimit: 20_000 },
    );
    await bystander.advance(1);
    expect(backendHealth()).toMatchObject({ ok: true });
    expect(frames).toBeGreaterThan(300);
    // The grammar reached the server's checks, not only the JSON parser.
    expect([...codes.keys()]).toEqual(expect.arrayContaining(['E_PROTOCOL', 'E_NO_STREAM', 'E_SIZE', 'E_STREAM_EXISTS', 'E_FORMAT']));
    for (let i = 0; i < 100 && arena.server.health().sockets > 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(arena.server.health()).toMatchObject({ sockets: 1, streams: 1 });
    expectUnharmed(await bystander.stop(), await watch.end(arena));
  });
});
