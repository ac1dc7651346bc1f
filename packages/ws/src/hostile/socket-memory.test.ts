// docs/protocol.md, Limits: "memory per socket is bounded whatever the client does". One socket
// that never reads does everything a client can to make the server hold memory for it — open/close
// churn, 900 KB strings echoed in errors, inputs whose outputs (with extras) it never reads,
// snapshot requests, binary floods on streams with outputs off — first on an idle server (no tick
// runs to notice it), then alongside stepping streams. The server's RSS stays within a bound set by
// the per-socket limits (send buffer high-water mark + queued bytes), not by the client.
//
// Waits for the stream server's rewrite (defect 3: replies sent outside a tick were never counted).
import { describe, it, expect, afterEach } from 'vitest';
import { startArena, watchResources, Peer, sleep, type Arena } from '../../test/hostile-harness.js';
import { encodeInputFrame } from '../index.js';

let arena: Arena | null = null;
let attacker: Peer | null = null;
afterEach(async () => {
  attacker?.terminate();
  await arena?.stop();
  arena = null;
});

/** Send frames for at most `ms`, or until the server stops reading from us for 2 s. */
async function sendFor(p: Peer, ms: number, next: (i: number) => string | Uint8Array): Promise<number> {
  const end = performance.now() + ms;
  let i = 0;
  while (performance.now() < end && p.open) {
    const t0 = performance.now();
    while (p.ws.bufferedAmount > 4 << 20) {
      if (performance.now() - t0 > 2000) return i; // the server stopped reading: pushed back by TCP
      await sleep(5);
    }
    p.send(next(i++));
  }
  return i;
}

describe('hostile: memory per socket is bounded whatever the client does', () => {
  it('a socket that never reads cannot make the server hold more than its limits', async () => {
    arena = await startArena({ drainTimeoutMs: 100 });
    const watch = watchResources();
    attacker = await Peer.connect(arena.url, { read: false });
    const big = 'n'.repeat(900_000);
    const rows = Array.from({ length: 100 }, (_, t) => [t / 100, 0.5, -0.5, 1]);
    // Idle server: open/close churn and echoed strings.
    await sendFor(attacker, 2500, (i) => (i % 100 === 0 ? JSON.stringify({ type: 'open', stream: 1e6 + i, model: big }) : JSON.stringify(i % 2 ? { type: 'close', stream: i - 1 } : { type: 'open', stream: i, model: 'vec', options: { extras: true } })));
    // Stepping streams: outputs with extras, snapshots, binary floods; opens up to the socket's limit.
    const opens = Array.from({ length: 256 }, (_, s) => JSON.stringify({ type: 'open', stream: 5e6 + s, model: 'vec', options: s % 2 ? { extras: true } : { format: 'binary', outputs: false } }));
    const binary = encodeInputFrame(5e6, new Float32Array(4 * 1000).fill(0.25));
    await sendFor(attacker, 2500, (i) => (i < opens.length ? opens[i] : i % 3 === 0 ? binary : JSON.stringify(i % 3 === 1 ? { type: 'input', stream: 5e6 + 1 + 2 * (i % 128), x: rows } : { type: 'snapshot', stream: 5e6 + 1 })));
    await sleep(500);
    const r = await watch.end();
    expect(r.rssGrowthBytes, 'RSS growth (bytes)').toBeLessThan(100e6);
    expect(r.logLines).toBe(0);
  });
});
