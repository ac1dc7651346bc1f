// A step that fails for one stream (a data-dependent bug, or an allocation the backend refuses)
// fails for that stream only: the streams batched with it get their outputs, bit for bit, and the
// backend stays healthy (issue 14, defects 1 and 2: failures are isolated and typed, never silent).
import { describe, it, expect, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { backendHealth, type Cell } from '@rxrnn/core';
import { startArena, vectorModels, watchResources, Bystander, Peer, expectUnharmed, type Arena } from '../../test/hostile-harness.js';

let arena: Arena | null = null;
afterEach(async () => {
  await arena?.stop();
  arena = null;
});

/**
 * `vec`, except that a step fails when a row's first input is 13 (it throws) or 7 (it asks the
 * backend for a 2 GiB tensor, beyond the allocation limit: `E_MEMORY`).
 */
function poisoned(inner: Cell): Cell {
  return {
    ...inner,
    step: (state, x, ctx) => {
      const first = (x.dataSync() as Float32Array).filter((_, i) => i % x.shape[1] === 0);
      if (first.includes(13)) throw new Error('poisoned row');
      if (first.includes(7)) tf.tile(x, [2 ** 27, 1]); // [B·2²⁷, 4] floats: 2 GiB per row
      return inner.step(state, x, ctx);
    },
    dispose: () => inner.dispose(),
  };
}

describe('hostile: a step that fails for one stream', () => {
  it('closes that stream with a typed error; the streams batched with it step as if alone; the backend stays healthy', async () => {
    const [vec] = vectorModels();
    arena = await startArena({}, [{ name: 'vec', cell: poisoned(vec.cell) }]);
    const watch = watchResources();
    const bystander = await Bystander.start(arena, 'vec');
    await bystander.advance(3);
    const attacker = await Peer.connect(arena.url);
    for (let s = 1; s <= 8; s++) attacker.sendJson({ type: 'open', stream: s, model: 'vec' });
    await attacker.next((m) => m.type === 'opened' && m.stream === 8);
    const heap = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length : 0;
    for (let round = 0; round < 3; round++) {
      // Streams 1–6 step cleanly; stream 7 sends a 13, stream 8 a 7: all in the same ticks as the bystander.
      for (let s = 1; s <= 6; s++) attacker.sendJson({ type: 'input', stream: s, x: [[0.5, s / 10, -0.5, 1], [0.25, 0, 0, 0]] });
      if (round === 1) {
        attacker.sendJson({ type: 'input', stream: 7, x: [13, 0, 0, 0] });
        attacker.sendJson({ type: 'input', stream: 8, x: [7, 0, 0, 0] });
      }
      await bystander.advance(2);
    }
    const failed = await Promise.all([7, 8].map((s) => attacker.nextError(s)));
    expect(failed.map((e) => e.code)).toEqual(['E_INTERNAL', 'E_INTERNAL']);
    expect(failed[0].received).toMatch(/poisoned row/);
    expect(failed[1].received).toMatch(/malloc: bytes: expected at most \d+ bytes per tensor|E_MEMORY|allocation limit/);
    for (const s of [7, 8]) expect(await attacker.next((m) => m.type === 'closed' && m.stream === s)).toMatchObject({ reason: 'error' });
    // The clean streams got all their outputs.
    for (let s = 1; s <= 6; s++) for (let t = 0; t < 6; t++) await attacker.next((m) => m.type === 'output' && m.stream === s && m.seq === t);
    expect(backendHealth()).toMatchObject({ ok: true });
    if (heap) expect((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length).toBe(heap); // the refused 2 GiB was never taken
    attacker.close();
    expectUnharmed(await bystander.stop(), await watch.end(arena));
  });
});
