/**
 * The server's lifecycle: running → draining → closed. Draining refuses new sockets and new work
 * (`E_SHUTDOWN`), lets queued work run for up to `drainTimeoutMs`, sends every stream
 * `closed { reason: "shutdown" }` and closes every socket with 1001; a socket that has not finished
 * closing {@link CLOSE_GRACE_MS} later (a client that never reads) is cut, so shutdown takes at most
 * the drain timeout plus that grace.
 */
import type { WebSocketServer } from 'ws';
import { CloseCodes } from '../protocol.js';
import type { ServerOptions } from '../options.js';
import type { StreamConnection as Connection, StreamHosting as Hosting } from './stream.js';
import type { Scheduler } from './scheduler.js';

/** How long sockets may take to finish the closing handshake before they are terminated, in ms. */
export const CLOSE_GRACE_MS = 1000;

export type LifecycleState = 'running' | 'draining' | 'closed';

export interface Lifecycle {
  readonly state: LifecycleState;
  /** Whether new sockets and new work are accepted. */
  readonly accepting: boolean;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createLifecycle(d: { opts: ServerOptions; scheduler: Scheduler; conns: Set<Connection>; hosting: Hosting; wss: WebSocketServer; timers: NodeJS.Timeout[] }): Lifecycle {
  let state: LifecycleState = 'running';
  let closing: Promise<void> | null = null;
  const drain = async () => {
    const deadline = Date.now() + d.opts.drainTimeoutMs;
    while (Date.now() < deadline && d.scheduler.working) {
      d.scheduler.schedule();
      await sleep(5);
    }
    for (const c of [...d.conns]) {
      for (const s of [...c.streams.values()]) {
        d.scheduler.leave(s);
        c.send({ type: 'closed', stream: s.id, reason: 'shutdown' });
      }
      c.close(CloseCodes.GOING_AWAY, 'server shutting down');
    }
    const cut = Date.now() + CLOSE_GRACE_MS;
    while (d.wss.clients.size > 0 && Date.now() < cut) await sleep(10);
    for (const ws of d.wss.clients) ws.terminate();
    for (const t of d.timers) clearInterval(t);
    for (const h of d.hosting.models.values()) h.batcher?.dispose();
    await new Promise<void>((r) => d.wss.close(() => r()));
    state = 'closed';
  };
  return {
    get state() {
      return state;
    },
    get accepting() {
      return state === 'running';
    },
    close() {
      if (!closing) {
        state = 'draining';
        closing = drain();
      }
      return closing;
    },
  };
}
