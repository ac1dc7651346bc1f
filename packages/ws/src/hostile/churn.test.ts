// Connection-level attacks that held when the server was attacked (issue 14), kept as regression
// tests: forged and oversized tokens, frames over maxPayload, and sockets that open streams, queue
// steps and vanish mid-step, hundreds of times. The bystander is unharmed and nothing is left behind.
import { describe, it, expect, afterEach } from 'vitest';
import { createRng } from '@rxrnn/core';
import { startArena, watchResources, Bystander, Peer, expectUnharmed, sleep, type Arena } from '../../test/hostile-harness.js';
import { encodeInputFrame } from '../index.js';

let arena: Arena | null = null;
afterEach(async () => {
  await arena?.stop();
  arena = null;
});

const refused = (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error) => e.message);

describe('hostile: connections', () => {
  it('forged, empty and huge tokens are refused at the handshake (401); the right one is accepted', async () => {
    arena = await startArena({ token: 's3cret-token' });
    for (const token of ['', 'wrong', 's3cret-toke', 's3cret-token!', 'x'.repeat(8000), 'S3CRET-TOKEN']) {
      expect(await refused(Peer.connect(arena.url, { token })), JSON.stringify(token).slice(0, 20)).toBe('HTTP 401');
    }
    expect(await refused(Peer.connect(arena.url))).toBe('HTTP 401');
    expect(await refused(Peer.connect(`${arena.url}?token=wrong`))).toBe('HTTP 401');
    const ok = await Peer.connect(arena.url, { token: 's3cret-token' });
    expect(ok.open).toBe(true);
    ok.close();
    const viaQuery = await Peer.connect(`${arena.url}?token=s3cret-token`);
    viaQuery.close();
  });

  it('churn: 200 sockets open streams, queue steps and vanish (terminate, close, oversized frame) mid-step; nothing is left', async () => {
    arena = await startArena({ maxPayload: 64 << 10 });
    const watch = watchResources();
    const bystander = await Bystander.start(arena, 'vec');
    await bystander.advance(3);
    const rng = createRng(14);
    const ending = ['terminate', 'close', 'oversized', 'binary-then-terminate'] as const;
    for (let wave = 0; wave < 20; wave++) {
      const peers = await Promise.all(Array.from({ length: 10 }, () => Peer.connect(arena!.url)));
      peers.forEach((p, i) => {
        for (let s = 0; s < 4; s++) {
          p.sendJson({ type: 'open', stream: s, model: s % 2 ? 'gru' : 'vec', options: { format: s === 3 ? 'binary' : 'json' } });
          const X = s % 2 ? 3 : 4;
          p.sendJson({ type: 'input', stream: s, x: Array.from({ length: 20 }, () => Array.from({ length: X }, () => rng.uniform(-1, 1))) });
        }
        const how = ending[(wave + i) % ending.length];
        if (how === 'oversized') p.send(new Uint8Array(65 << 10)); // > maxPayload: the server closes it (1009)
        else if (how === 'binary-then-terminate') {
          p.send(encodeInputFrame(0, new Float32Array(4 * 50)));
          p.terminate();
        } else if (how === 'close') p.close();
        else p.terminate();
      });
      await Promise.all(peers.map((p) => Promise.race([p.closed(), sleep(2000)])));
      if (wave % 10 === 9) await bystander.advance(1);
    }
    // Every socket is gone: only the bystander's stream is left.
    for (let i = 0; i < 100 && arena.server.health().sockets > 1; i++) await sleep(20);
    expect(arena.server.health()).toMatchObject({ sockets: 1, streams: 1 });
    expect(arena.server.metricsText()).toMatch(/rxrnn_queued_steps 0\b/);
    expectUnharmed(await bystander.stop(), await watch.end(arena));
  });
});
