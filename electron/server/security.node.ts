// Browser mode's gatekeeping: a random per-run token, and Host/Origin checks that
// keep other web pages (and DNS-rebinding tricks) away from the API.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { contentSecurityPolicy } from '../security/csp.std';

export const LOOPBACK_HOST = '127.0.0.1';

/** 256 random bits, URL-safe. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensMatch(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Host header values that name this server; anything else is a rebinding attempt or a stray client. */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host === `${LOOPBACK_HOST}:${port}` || host === `localhost:${port}`;
}

/**
 * Browsers always send Origin on a WebSocket handshake; it must be this server's own.
 * A client without Origin is not a browser page, so no other site can be driving it;
 * it still needs the token.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return origin === `http://${LOOPBACK_HOST}:${port}` || origin === `http://localhost:${port}`;
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy({ connect: [`ws://${LOOPBACK_HOST}:${port}`, `ws://localhost:${port}`] }) + "; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), geolocation=(), microphone=(self)',
  };
}
