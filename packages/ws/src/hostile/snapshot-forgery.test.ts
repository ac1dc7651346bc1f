// Issue 14, defect 1: a forged snapshot (`open` or `restore`) is checked field by field against the
// model before anything is allocated. A 150-byte `batch: 4e6` froze the server for 1.5 s and kept
// 0.7 GB; `batch: 1.7e7` overwrote the wasm heap (every later step: "memory access out of bounds").
import { describe, it, expect, afterEach } from 'vitest';
import { backendHealth, FLOAT32_MAX } from '@rxrnn/core';
import { soloOutputs } from '@rxrnn/testing';
import { startArena, watchResources, Bystander, Peer, expectUnharmed, type Arena } from '../../test/hostile-harness.js';

let arena: Arena | null = null;
afterEach(async () => {
  await arena?.stop();
  arena = null;
});

/** A valid snapshot of `vec` (stack of LSTM 4→16 and dense), batch 1, with every value `v`. */
const vecSnapshot = (v = 0.25, batch = 1) => ({
  format: 'rxrnn.state',
  version: 1,
  kind: 'stack',
  batch,
  tensors: { '0.h': { shape: [batch, 16], data: new Array(batch * 16).fill(v) }, '0.c': { shape: [batch, 16], data: new Array(batch * 16).fill(v) } },
});

/** Forged snapshots and the code each must get. */
const forgeries: [string, unknown, string][] = [
  ['batch 4e6, no tensors (the issue’s 150 bytes)', { format: 'rxrnn.state', version: 1, kind: 'stack', batch: 4_000_000, tensors: {} }, 'E_SHAPE'],
  ['batch 1.7e7', { format: 'rxrnn.state', version: 1, kind: 'stack', batch: 17_000_000, tensors: {} }, 'E_SHAPE'],
  ['batch 2^53 − 1', { format: 'rxrnn.state', version: 1, kind: 'stack', batch: Number.MAX_SAFE_INTEGER, tensors: {} }, 'E_SHAPE'],
  ['batch 1e300', { format: 'rxrnn.state', version: 1, kind: 'stack', batch: 1e300, tensors: {} }, 'E_FORMAT'],
  ['batch 4e6 with entries of that batch', { ...vecSnapshot(), batch: 4_000_000, tensors: { '0.h': { shape: [4_000_000, 16], data: [] }, '0.c': { shape: [4_000_000, 16], data: [] } } }, 'E_SHAPE'],
  ['batch 1, an entry of 4e6 rows', { ...vecSnapshot(), tensors: { ...vecSnapshot().tensors, '0.h': { shape: [1, 4_000_000], data: [] } } }, 'E_SHAPE'],
  ['batch 1, 20,000 entries', { ...vecSnapshot(), tensors: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`e${i}`, { shape: [1, 1], data: [0] }])) }, 'E_FORMAT'],
  ['another kind', { ...vecSnapshot(), kind: 'gru' }, 'E_FORMAT'],
  ['a value beyond float32 (1e308)', { ...vecSnapshot(), tensors: { ...vecSnapshot().tensors, '0.c': { shape: [1, 16], data: [...new Array(15).fill(0), 1e308] } } }, 'E_NONFINITE'],
  ['a value just beyond float32 (-3.5e38)', { ...vecSnapshot(), tensors: { ...vecSnapshot().tensors, '0.h': { shape: [1, 16], data: [-3.5e38, ...new Array(15).fill(0)] } } }, 'E_NONFINITE'],
  ['a string value', { ...vecSnapshot(), tensors: { ...vecSnapshot().tensors, '0.h': { shape: [1, 16], data: ['0', ...new Array(15).fill(0)] } } }, 'E_DTYPE'],
];

describe('hostile: forged snapshots (issue 14, defect 1)', () => {
  it('every forgery is refused at once with a typed error; nothing is allocated; the bystander and the backend are unharmed', async () => {
    arena = await startArena();
    const watch = watchResources();
    const bystander = await Bystander.start(arena, 'vec');
    await bystander.advance(5);
    const attacker = await Peer.connect(arena.url);
    attacker.sendJson({ type: 'open', stream: 1, model: 'vec' });
    await attacker.next((m) => m.type === 'opened');
    let req = 0;
    for (const [label, snapshot, code] of forgeries) {
      for (const how of ['open', 'restore'] as const) {
        const id = ++req;
        const t0 = performance.now();
        if (how === 'open') attacker.sendJson({ type: 'open', stream: 100 + id, model: 'vec', options: { snapshot }, req: id });
        else attacker.sendJson({ type: 'restore', stream: 1, snapshot, req: id });
        const e = await attacker.next((m) => m.type === 'error' && m.req === id);
        expect.soft(e, `${how}: ${label}`).toMatchObject({ type: 'error', code });
        expect.soft(performance.now() - t0, `${how}: ${label}: ms to refuse`).toBeLessThan(500);
        expect.soft(JSON.stringify(e).length, `${how}: ${label}: error frame bytes`).toBeLessThan(2000);
      }
      await bystander.advance(1);
    }
    expect(arena.server.health().streams).toBe(2); // the bystander's and the attacker's stream 1; no forged stream opened
    expect(backendHealth()).toMatchObject({ ok: true });
    expectUnharmed(await bystander.stop(), await watch.end(arena), { rssGrowthBytes: 50e6 });
    attacker.close();
  });

  it('a refused restore leaves the stream’s state untouched; a valid one (values up to ±FLT_MAX) is taken', async () => {
    arena = await startArena();
    const cell = arena.model('vec').cell;
    const attacker = await Peer.connect(arena.url);
    attacker.sendJson({ type: 'open', stream: 1, model: 'vec' });
    const xs = [Float32Array.of(0.5, -1, 0.25, 2), Float32Array.of(-0.5, 0, 1, -2), Float32Array.of(1, 1, -1, 0)];
    const alone = soloOutputs(cell, xs);
    attacker.sendJson({ type: 'input', stream: 1, x: xs.slice(0, 2).map((x) => Array.from(x)) });
    for (const [, snapshot] of forgeries) attacker.sendJson({ type: 'restore', stream: 1, snapshot });
    attacker.sendJson({ type: 'input', stream: 1, x: Array.from(xs[2]) });
    const outs = [];
    for (let t = 0; t < 3; t++) outs.push(await attacker.next((m) => m.type === 'output' && m.seq === t));
    expect(outs.map((o) => (o as { y: number[] }).y)).toEqual(alone.map((y) => Array.from(y)));
    expect([...attacker.errors.values()].reduce((a, b) => a + b, 0)).toBe(forgeries.length);

    attacker.sendJson({ type: 'restore', stream: 1, snapshot: vecSnapshot(FLOAT32_MAX), req: 9 });
    expect(await attacker.next((m) => m.type === 'ack' && m.req === 9)).toMatchObject({ of: 'restore' });
    attacker.sendJson({ type: 'snapshot', stream: 1, req: 10 });
    const snap = (await attacker.next((m) => m.type === 'snapshot' && m.req === 10)) as { snapshot: { tensors: Record<string, { data: number[] }> } };
    expect(snap.snapshot.tensors['0.h'].data.every((v) => v === FLOAT32_MAX)).toBe(true);
    attacker.close();
  });
});
