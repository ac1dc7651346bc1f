/**
 * Opening the WebSocket: the browser's global WebSocket (the token travels as `?token=`), or in
 * Node the `ws` package, loaded on demand (the token travels as `Authorization: Bearer`).
 */
import { PROTOCOL } from '../protocol.js';

/** The minimal WebSocket surface the client uses (the browser's and `ws`'s both fit). */
export interface SocketLike {
  readyState: number;
  binaryType: string;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
type SocketCtor = new (url: string, protocols?: string | string[], options?: unknown) => SocketLike;

/** `WebSocket.OPEN`. */
export const OPEN = 1;

async function ctor(given: unknown): Promise<{ C: SocketCtor; node: boolean }> {
  if (given) return { C: given as SocketCtor, node: false };
  const g = (globalThis as { WebSocket?: SocketCtor }).WebSocket;
  if (g && typeof (globalThis as { window?: unknown }).window !== 'undefined') return { C: g, node: false };
  const mod = (await import('ws')) as unknown as { default: SocketCtor };
  return { C: mod.default, node: true };
}

/** A new socket to `url` offering `rxrnn.v1`, carrying `token`; binary messages arrive as ArrayBuffers. */
export async function openSocket(url: string, token: string | undefined, WebSocketCtor?: unknown): Promise<SocketLike> {
  const { C, node } = await ctor(WebSocketCtor);
  let target = url;
  if (token && !node) target += (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
  const ws = node ? new C(target, PROTOCOL, token ? { headers: { Authorization: `Bearer ${token}` } } : {}) : new C(target, PROTOCOL);
  ws.binaryType = 'arraybuffer';
  return ws;
}
