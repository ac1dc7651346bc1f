import type { ServerMessage, WsErrorCode } from '../protocol.js';

/** A server error, as received. */
export class RemoteError extends Error {
  constructor(
    readonly code: WsErrorCode,
    message: string,
    readonly details: Extract<ServerMessage, { type: 'error' }>,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}
