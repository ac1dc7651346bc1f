/**
 * Authentication: the bearer token, and the loopback rule — a server without a token serves only
 * connections whose both ends are loopback addresses (and that no proxy forwarded), so a stream
 * server attached to a public interface cannot run open by accident.
 *
 * ```ts
 * isLoopback('127.0.0.1');            // true
 * isLoopback('127.attacker.example'); // false: a host name, not an address
 * ```
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { rxrnnError, ErrorCodes } from '@rxrnn/core';

/**
 * Is `host` a loopback address: `localhost`, an IPv4 literal in 127.0.0.0/8, `::1`, or an
 * IPv4-mapped `::ffff:127.x.x.x`? IP literals are parsed (node:net), never matched as text.
 */
export function isLoopback(host: string | undefined | null): boolean {
  if (!host) return false;
  if (host.toLowerCase() === 'localhost') return true;
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const version = isIP(h);
  if (version === 4) return h.startsWith('127.');
  if (version !== 6) return false;
  let canonical: string;
  try {
    canonical = new URL(`http://[${h}]/`).hostname.slice(1, -1); // WHATWG canonical IPv6: ::1, ::ffff:7f00:1
  } catch {
    return false; // e.g. a zone id (fe80::1%eth0): not loopback
  }
  return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
}

/** Refuse a configuration that would serve beyond loopback without a token. */
export function requireTokenBeyondLoopback(fn: string, host: string, token: string | null | undefined): void {
  if (!token && !isLoopback(host)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'token', `a bearer token when listening beyond loopback (host ${host})`, 'none (set --token or RXRNN_TOKEN)');
}

/** The token a request presents: `Authorization: Bearer …`, else `?token=…`. */
export function tokenOf(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (typeof h === 'string' && /^Bearer /i.test(h)) return h.slice(7).trim();
  try {
    return new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  } catch {
    return null;
  }
}

/** Did the request come straight over loopback: both socket ends loopback, no proxy's forwarding header? */
export function isLoopbackRequest(req: IncomingMessage): boolean {
  const s = req.socket;
  return isLoopback(s?.remoteAddress) && isLoopback(s?.localAddress) && req.headers.forwarded === undefined && req.headers['x-forwarded-for'] === undefined;
}

export interface Auth {
  /** Whether the request may use the server: it carries the token, or (without one) it came over loopback. */
  authorized(req: IncomingMessage): boolean;
  /** Why a handshake is refused, as an HTTP status and text; null to accept. */
  refusal(req: IncomingMessage): { status: number; text: string } | null;
}

export function createAuth(token: string | null): Auth {
  const want = token === null ? null : Buffer.from(token);
  const matches = (req: IncomingMessage) => {
    const got = tokenOf(req);
    if (got === null || want === null) return false;
    const a = Buffer.from(got);
    return a.length === want.length && timingSafeEqual(a, want);
  };
  return {
    authorized: (req) => (want === null ? isLoopbackRequest(req) : matches(req)),
    refusal(req) {
      if (want !== null) return matches(req) ? null : { status: 401, text: 'Unauthorized' };
      return isLoopbackRequest(req) ? null : { status: 403, text: 'Forbidden: this server has no token, so it serves loopback only' };
    },
  };
}
