// Issue 14, defect 2: one value beyond float32's range (1e308 in a JSON `x`: finite as a JSON
// number, ∞ once stored as float32) stalled every stream on the server: the batcher refused it
// inside the tick, the tick skipped every model's step and retried the input forever, the log grew
// by megabytes per second and the attacker got no error. Values are checked after their conversion
// to float32 and a failing stream is isolated: the attacker gets a typed error, everyone else steps.
//
// Waits for the server's per-stream tick isolation and float32 checks of `x` and `last` (the
// server rewrite); the batcher's own isolation is tested in @rxrnn/core and step-failure.test.ts.
import { describe, it, expect, afterEach } from 'vitest';
import { startArena, watchResources, Bystander, Peer, expectUnharmed, type Arena } from '../../test/hostile-harness.js';
import { encodeInputFrame } from '../index.js';

let arena: Arena | null = null;
afterEach(async () => {
  await arena?.stop();
  arena = null;
});

const BEYOND = [1e308, -1e308, 3.5e38, -3.4028236e38, 1e39];

describe('hostile: values beyond float32 (issue 14, defect 2)', () => {
  it('an input beyond float32 gets E_NONFINITE at once; its stream stays usable; the others never stall; the log stays quiet', async () => {
    arena = await startArena();
    const watch = watchResources();
    const bystander = await Bystander.start(arena, 'vec');
    await bystander.advance(3);
    const attacker = await Peer.connect(arena.url);
    attacker.sendJson({ type: 'open', stream: 1, model: 'vec' });
    attacker.sendJson({ type: 'open', stream: 2, model: 'vec' });
    await attacker.next((m) => m.type === 'opened' && m.stream === 2);
    let req = 0;
    for (const v of BEYOND) {
      for (const x of [[0, v, 0, 0], [[0, 0, 0, 0], [0, 0, 0, v]]]) {
        const id = ++req;
        attacker.sendJson({ type: 'input', stream: 1, x, req: id });
        attacker.sendJson({ type: 'input', stream: 2, x: [0.5, 0.5, 0.5, 0.5] });
        const e = await attacker.next((m) => m.type === 'error' && m.req === id, 2000);
        expect(e, `x with ${v}`).toMatchObject({ code: 'E_NONFINITE', stream: 1 });
        await bystander.advance(2, 2000);
      }
    }
    // Stream 2 stepped every time; stream 1 dropped each bad message whole and still steps.
    for (let t = 0; t < 2 * BEYOND.length; t++) await attacker.next((m) => m.type === 'output' && m.stream === 2 && m.seq === t, 2000);
    attacker.sendJson({ type: 'input', stream: 1, x: [0.5, 0.5, 0.5, 0.5] });
    expect(await attacker.next((m) => m.type === 'output' && m.stream === 1, 2000)).toMatchObject({ seq: 0 });
    expectUnharmed(await bystander.stop(), await watch.end(arena), { logLines: 0 });
    attacker.close();
  });

  it('`last` beyond float32 (open with a snapshot, restore) gets E_NONFINITE; binary ±∞ and NaN too', async () => {
    arena = await startArena();
    const attacker = await Peer.connect(arena.url);
    attacker.sendJson({ type: 'open', stream: 1, model: 'vec' });
    attacker.sendJson({ type: 'snapshot', stream: 1, req: 1 });
    const { snapshot } = (await attacker.next((m) => m.type === 'snapshot')) as { snapshot: unknown };
    for (const v of BEYOND) {
      attacker.sendJson({ type: 'open', stream: 2, model: 'vec', options: { snapshot, last: [0, 0, v, 0] }, req: 2 });
      expect(await attacker.next((m) => m.type === 'error' && m.req === 2), `open last ${v}`).toMatchObject({ code: 'E_NONFINITE' });
      attacker.sendJson({ type: 'restore', stream: 1, snapshot, last: [v, 0, 0, 0], req: 3 });
      expect(await attacker.next((m) => m.type === 'error' && m.req === 3), `restore last ${v}`).toMatchObject({ code: 'E_NONFINITE' });
    }
    for (const v of [Infinity, -Infinity, NaN]) {
      attacker.send(encodeInputFrame(1, Float32Array.of(0, 0, v, 0)));
      expect(await attacker.nextError(1)).toMatchObject({ code: 'E_NONFINITE' });
    }
    attacker.close();
  });
});
