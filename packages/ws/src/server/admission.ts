/**
 * Admission of queued work: the one place where the work a message asks for (steps and the bytes
 * they hold) is checked against every bound — steps per stream, bytes per socket, bytes per
 * server, steps per second per socket — before anything is allocated or queued.
 */
import { wsError, WsErrorCodes } from '../protocol.js';
import type { ServerOptions } from '../options.js';
import type { ServerQueue, StreamConnection as Connection } from './stream.js';

export interface Admission {
  /** Throw the limit error if `steps` more steps/operations holding `bytes` do not fit (queue of `queuedSteps` on `conn`). */
  check(conn: Connection, queuedSteps: number, steps: number, bytes: number): void;
  /** Charge the socket's rate for `steps` admitted steps/operations. */
  charge(conn: Connection, steps: number): void;
}

export function createAdmission(opts: ServerOptions, server: ServerQueue): Admission {
  return {
    check(conn, queuedSteps, steps, bytes) {
      if (queuedSteps + steps > opts.maxQueuedSteps) throw wsError(WsErrorCodes.LIMIT, 'input', 'steps', `at most ${opts.maxQueuedSteps} queued steps and operations per stream`, `${queuedSteps} queued + ${steps}`);
      if (conn.queuedBytes + bytes > opts.maxQueuedBytesPerSocket) throw wsError(WsErrorCodes.LIMIT, 'input', 'bytes', `at most ${opts.maxQueuedBytesPerSocket} bytes of queued work per socket`, `${conn.queuedBytes} queued + ${bytes}`);
      if (server.bytes + bytes > opts.maxQueuedBytes) throw wsError(WsErrorCodes.BUSY, 'input', 'server', `at most ${opts.maxQueuedBytes} bytes of queued work on the server (retry later)`, `${server.bytes} queued + ${bytes}`);
      conn.inputs.check(steps);
    },
    charge(conn, steps) {
      conn.inputs.take(steps);
    },
  };
}
