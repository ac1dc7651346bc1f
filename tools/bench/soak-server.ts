/**
 * The soak's server process (spawned by tools/bench/soak.ts with an IPC channel): apps/server's
 * `startServer` with the given flags, which reports what only the process itself can see — its
 * RSS, live tensors, the backend heap and core's `backendHealth()` — once a second. It stops
 * (drains and closes) on a `stop` message or when the parent goes away.
 *
 *     (spawned) node --import tsx --conditions=@rxrnn/source tools/bench/soak-server.ts --port 0 --no-web …
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, backendHealth } from '@rxrnn/core';
import { loadConfig, startServer } from '@rxrnn/server';

export interface ServerSample {
  type: 'sample';
  t: number;
  rss: number;
  tensors: number;
  /** The wasm heap (it only grows), or tfjs's tensor bytes on other backends. */
  heapBytes: number;
  healthy: boolean;
  reason?: string;
  sockets: number;
  streams: number;
}

if (!process.send) throw new Error('soak-server: run me from tools/bench/soak.ts (needs an IPC channel)');
const send = (m: unknown) => process.connected && process.send!(m);

await initBackend({ log: null });
const server = await startServer(loadConfig(process.argv.slice(2)));
send({ type: 'ready', wsUrl: server.wsUrl, models: server.models.map((m) => m.name) });

const heap = () => (tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length : tf.memory().numBytes);
const timer = setInterval(() => {
  const h = backendHealth();
  const s = server.stream.health();
  const sample: ServerSample = { type: 'sample', t: Date.now(), rss: process.memoryUsage().rss, tensors: tf.memory().numTensors, heapBytes: heap(), healthy: h.ok, reason: h.reason, sockets: s.sockets, streams: s.streams };
  send(sample);
}, 1000);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  await server.close();
  send({ type: 'stopped' });
  process.exit(0);
};
process.on('message', (m) => m === 'stop' && void stop());
process.on('disconnect', () => void stop());
