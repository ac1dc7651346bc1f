// Issue 14, defects 3, 4, 6 and 7 (the transport's part): limits that did not hold.
//
// These wait for the stream server's rewrite (every outbound byte counted, echoed strings cut, a
// rate on `open`, queued work bounded in bytes per socket and per server, sockets terminated after
// the drain timeout, `seq` bounded, a nesting bound before JSON.parse, tensor/heap/RSS gauges).
// The options `maxQueuedBytesPerSocket`, `maxQueuedBytes` and the code `E_BUSY` are the rewrite's.
import { describe, it, expect, afterEach } from 'vitest';
import { startArena, watchResources, Bystander, Peer, expectUnharmed, sleep, type Arena } from '../../test/hostile-harness.js';
import { encodeInputFrame } from '../index.js';

let arena: Arena | null = null;
const peers: Peer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.terminate();
  await arena?.stop();
  arena = null;
});
const connect = async (...args: Parameters<typeof Peer.connect>) => {
  const p = await Peer.connect(...args);
  peers.push(p);
  return p;
};

/** Send `frames` while our own send buffer drains; stop early when the server stops reading for `stallMs`. */
async function flood(p: Peer, frames: Iterable<string | Uint8Array>, stallMs = 1000): Promise<{ sent: number; stalled: boolean }> {
  let sent = 0;
  for (const f of frames) {
    const t0 = performance.now();
    while (p.open && p.ws.bufferedAmount > 4 << 20) {
      if (performance.now() - t0 > stallMs) return { sent, stalled: true };
      await sleep(5);
    }
    if (!p.open) break;
    p.send(f);
    sent++;
  }
  return { sent, stalled: false };
}

function* repeat<T>(n: number, make: (i: number) => T[]): Generator<T> {
  for (let i = 0; i < n; i++) yield* make(i);
}

describe('hostile: outbound bytes (issue 14, defect 3)', () => {
  it('a client that never reads, flooding open/close and 900 KB model names, cannot grow an idle server', async () => {
    arena = await startArena();
    const watch = watchResources();
    const attacker = await connect(arena.url, { read: false });
    const bigName = JSON.stringify({ type: 'open', stream: 1, model: 'm'.repeat(900_000) });
    const churn = (i: number) => [JSON.stringify({ type: 'open', stream: i, model: 'vec' }), JSON.stringify({ type: 'close', stream: i })];
    // On the old server this queued ~3.6 MB per big name (the name echoed four times), ~220 MB in all.
    await flood(attacker, repeat(60, (i) => [bigName, ...Array.from({ length: 50 }, (_, k) => churn(i * 50 + k)).flat()]), 3000);
    await sleep(500);
    const r = await watch.end();
    expect(r.rssGrowthBytes, 'RSS growth while the client never reads (bytes)').toBeLessThan(100e6);
    expect(r.logLines).toBe(0);
  });

  it('an error frame echoes a client string cut short', async () => {
    arena = await startArena();
    const attacker = await connect(arena.url);
    attacker.sendJson({ type: 'open', stream: 1, model: 'm'.repeat(900_000), req: 1 });
    const e = await attacker.next((m) => m.type === 'error' && m.req === 1);
    expect(e).toMatchObject({ code: 'E_NO_MODEL' });
    expect(JSON.stringify(e).length).toBeLessThan(4096);
  });

  it('`open` is rate-limited: a burst of opens gets E_LIMIT', async () => {
    arena = await startArena();
    const attacker = await connect(arena.url);
    await flood(attacker, repeat(3000, (i) => [JSON.stringify({ type: 'open', stream: i, model: 'vec' }), JSON.stringify({ type: 'close', stream: i })]));
    for (let i = 0; i < 200 && !attacker.errors.get('E_LIMIT') && attacker.open; i++) await sleep(10);
    expect(attacker.errors.get('E_LIMIT') ?? 0).toBeGreaterThan(0);
  });
});

describe('hostile: queued work (issue 14, defect 4)', () => {
  it('binary streams with outputs off queue at most the socket’s bytes (E_LIMIT) and the server’s (E_BUSY)', async () => {
    arena = await startArena({ maxQueuedBytesPerSocket: 256 << 10, maxQueuedBytes: 1 << 20, maxInputsPerSecond: 1_000_000, drainTimeoutMs: 100 } as never);
    const watch = watchResources();
    const attackers = await Promise.all(Array.from({ length: 8 }, () => connect(arena!.url)));
    for (const a of attackers) for (let s = 0; s < 64; s++) a.sendJson({ type: 'open', stream: s, model: 'vec', options: { format: 'binary', outputs: false } });
    for (const a of attackers) await a.next((m) => m.type === 'opened' && m.stream === 63);
    const steps = new Float32Array(4 * 1000).fill(0.5); // 1,000 steps, 16 kB of floats
    let maxQueued = 0;
    for (const a of attackers) {
      for (let s = 0; s < 64; s++) a.send(encodeInputFrame(s, steps));
      const q = Number(/rxrnn_queued_bytes (\d+)/.exec(arena.server.metricsText())?.[1] ?? NaN);
      maxQueued = Math.max(maxQueued, q);
    }
    const codes = new Map<string, number>();
    for (let i = 0; i < 500 && !(codes.get('E_LIMIT') && codes.get('E_BUSY')); i++) {
      await sleep(10);
      codes.clear();
      for (const a of attackers) for (const [c, n] of a.errors) codes.set(c, (codes.get(c) ?? 0) + n);
    }
    expect(codes.get('E_LIMIT') ?? 0, 'per-socket bound').toBeGreaterThan(0);
    expect(codes.get('E_BUSY') ?? 0, 'per-server bound').toBeGreaterThan(0);
    expect(maxQueued, 'rxrnn_queued_bytes').toBeLessThanOrEqual(1 << 20);
    for (const a of attackers) a.terminate();
    const r = await watch.end(arena);
    expect(r.rssGrowthBytes).toBeLessThan(50e6);
  });
});

describe('hostile: shutdown (issue 14, defect 6)', () => {
  it('close() returns soon after drainTimeoutMs although a client never reads', async () => {
    arena = await startArena({ drainTimeoutMs: 300 });
    const attacker = await connect(arena.url, { read: false });
    attacker.sendJson({ type: 'open', stream: 1, model: 'vec', options: { extras: true } });
    const rows = JSON.stringify({ type: 'input', stream: 1, x: Array.from({ length: 1000 }, () => [0.1, 0.2, 0.3, 0.4]) });
    await flood(attacker, repeat(8, () => [rows]));
    await sleep(500); // the server's send buffer fills; the socket is paused
    const t0 = performance.now();
    const done = await Promise.race([arena.server.close().then(() => 'closed'), sleep(5000).then(() => 'still waiting')]);
    const ms = performance.now() - t0;
    attacker.terminate(); // (lets a close that waits for the client finish)
    expect(done).toBe('closed');
    expect(ms).toBeLessThan(300 + 1500);
  });
});

describe('hostile: smaller gaps (issue 14, defect 7)', () => {
  it('seq is bounded to an unsigned 32-bit integer (the binary frame’s field) in open and restore', async () => {
    arena = await startArena();
    const attacker = await connect(arena.url);
    attacker.sendJson({ type: 'open', stream: 1, model: 'vec' });
    attacker.sendJson({ type: 'snapshot', stream: 1, req: 1 });
    const { snapshot } = (await attacker.next((m) => m.type === 'snapshot')) as { snapshot: unknown };
    for (const seq of [2 ** 32, 2 ** 53, 1e300]) {
      attacker.sendJson({ type: 'open', stream: 2, model: 'vec', options: { snapshot, seq }, req: 2 });
      const open = await attacker.next((m) => 'req' in m && m.req === 2);
      expect(open.type, `open seq ${seq}`).toBe('error');
      attacker.sendJson({ type: 'restore', stream: 1, snapshot, seq, req: 3 });
      const restore = await attacker.next((m) => 'req' in m && m.req === 3);
      expect(restore.type, `restore seq ${seq}`).toBe('error');
      if (open.type === 'opened') attacker.sendJson({ type: 'close', stream: 2 });
    }
    attacker.sendJson({ type: 'open', stream: 3, model: 'vec', options: { snapshot, seq: 2 ** 32 - 1 }, req: 4 });
    expect(await attacker.next((m) => 'req' in m && m.req === 4)).toMatchObject({ type: 'opened', seq: 2 ** 32 - 1 });
  });

  it('a 1 MiB frame nested 520,000 deep is refused quickly, without stalling the bystander', async () => {
    arena = await startArena();
    const watch = watchResources();
    const bystander = await Bystander.start(arena, 'vec');
    await bystander.advance(3);
    const attacker = await connect(arena.url);
    attacker.sendJson({ type: 'open', stream: 0, model: 'vec' });
    const deep = `{"type":"input","stream":0,"x":${'['.repeat(520_000)}${']'.repeat(520_000)},"req":1}`;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      attacker.send(deep);
      const e = await attacker.nextError(undefined, 10_000);
      expect(e.code).not.toBe('E_INTERNAL');
      expect(performance.now() - t0, 'ms to refuse a 1 MiB nested frame').toBeLessThan(300);
    }
    expectUnharmed(await bystander.stop(), await watch.end(arena), { maxLatencyMs: 400 });
  });

  it('/metrics has gauges for tensors, the backend heap and the process RSS', async () => {
    arena = await startArena();
    const text = arena.server.metricsText();
    for (const g of ['rxrnn_tensors', 'rxrnn_backend_heap_bytes', 'rxrnn_process_rss_bytes']) expect(text).toMatch(new RegExp(`^${g} \\d+$`, 'm'));
  });
});
