// The renderer's Content-Security-Policy, built in one place for the Electron
// window (a <meta> written into index.html at build time) and for browser mode
// (an HTTP header naming the exact WebSocket origin).

export interface CspOptions {
  /** Extra sources allowed for connect-src (WebSocket origins in browser mode). */
  connect?: readonly string[];
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  const directives: Record<string, readonly string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...(options.connect ?? [])],
    'worker-src': ["'self'", 'blob:'],
    'media-src': ["'self'", 'blob:'],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'object-src': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** The policy baked into index.html: loopback WebSockets on any port, since the port is chosen at run time. */
export const INDEX_HTML_CSP = contentSecurityPolicy({ connect: ['ws://127.0.0.1:*', 'ws://localhost:*'] });
