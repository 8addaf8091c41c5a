// A local HTTP server on 127.0.0.1 that answers like Hugging Face's resolve endpoint:
// GET/HEAD /OWNER/REPO/resolve/REVISION/FILE → 302 to a content URL carrying X-Linked-Size
// and X-Linked-Etag; the content URL serves the bytes with Content-Length, ETag,
// Accept-Ranges and 206 answers to Range. Faults for tests: a connection dropped after some
// bytes (once), a rate limit, and every request recorded.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
  /** OWNER/REPO/FILE */
  key: string;
  bytes: Buffer;
}

/**
 * Ways a real mirror, proxy or captive portal misbehaves, one per mode:
 * - endless: the content body never ends (no Content-Length), random bytes for ever
 * - ignore-range: a Range request is answered 200 with the whole file
 * - redirect-loop: the resolve address redirects to itself
 * - error-500: every request answers 500
 * - redirect-file / redirect-ftp / redirect-data: the resolve address redirects to file://, ftp:// or data:
 * - hang: requests are accepted and never answered
 * - cut-half: every content response stops after half of what it announced
 * - oversize: the content body is the file followed by as many bytes again, with Content-Length of the file
 */
export type HostileMode = 'endless' | 'ignore-range' | 'redirect-loop' | 'error-500' | 'redirect-file' | 'redirect-ftp' | 'redirect-data' | 'hang' | 'cut-half' | 'oversize';

export interface HfServerOptions {
  /** Bytes per second for content bodies, all connections together; default unlimited. */
  bytesPerSecond?: number;
  /** Destroy the socket of the first content response after this many body bytes. */
  dropAfterBytes?: number;
  mode?: HostileMode;
}

export interface RecordedRequest {
  method: string;
  url: string;
  range: string | undefined;
  ifRange: string | undefined;
}

export interface HfServer extends AsyncDisposable {
  /** http://127.0.0.1:PORT/ */
  endpoint: string;
  requests: RecordedRequest[];
  /** Bytes of content sent so far. */
  sentBytes(): number;
  setRate(bytesPerSecond: number | undefined): void;
  /**
   * Stops every body at this offset of its file (a multiple of 16 KiB lands exactly) until
   * called again with another offset or undefined: a download that is exactly half there,
   * or one that stops arriving, without depending on timing.
   */
  holdAt(offset: number | undefined): void;
  /** Serves other bytes under the same name from now on (a file replaced upstream). */
  replace(key: string, bytes: Buffer): void;
  setMode(mode: HostileMode | undefined): void;
  close(): Promise<void>;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export async function startHfServer(files: ServedFile[], options: HfServerOptions = {}): Promise<HfServer> {
  const byKey = new Map(files.map((f) => [f.key, f.bytes]));
  const byHash = new Map(files.map((f) => [sha256(f.bytes), f.bytes]));
  let mode = options.mode;
  const hanging = new Set<ServerResponse>();
  const requests: RecordedRequest[] = [];
  let rate = options.bytesPerSecond;
  let dropPending = options.dropAfterBytes;
  let sent = 0;
  let nextFree = 0;
  let hold: number | undefined;
  const signal = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };
  let holdChanged = signal();

  async function sendBody(response: ServerResponse, body: Buffer, offset: number): Promise<void> {
    let drop = dropPending;
    if (drop !== undefined) dropPending = undefined;
    if (mode === 'cut-half') drop = Math.ceil(body.length / 2);
    const chunk = 16 * 1024;
    for (let at = 0; at < body.length; at += chunk) {
      while (hold !== undefined && offset + at >= hold && !response.destroyed) await holdChanged.promise;
      if (response.destroyed) return;
      const piece = body.subarray(at, Math.min(body.length, at + chunk));
      if (drop !== undefined && at + piece.length > drop) {
        sent += Math.max(0, drop - at);
        // The bytes before the cut reach the client, then the connection breaks.
        response.write(piece.subarray(0, Math.max(0, drop - at)), () => response.socket?.destroy());
        return;
      }
      if (!response.write(piece)) await new Promise((resolve) => response.once('drain', resolve));
      sent += piece.length;
      if (rate) {
        // One rate for all connections together, as a slow line would have.
        const now = performance.now();
        nextFree = Math.max(now, nextFree) + (piece.length / rate) * 1000;
        await new Promise((resolve) => setTimeout(resolve, nextFree - now));
      }
    }
    response.end();
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: request.method ?? 'GET', url: url.pathname, range: request.headers.range, ifRange: request.headers['if-range'] as string | undefined });
    if (mode === 'hang') {
      hanging.add(response);
      return;
    }
    if (mode === 'error-500') {
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal Server Error');
      return;
    }
    const redirect = { 'redirect-file': 'file:///etc/passwd', 'redirect-ftp': 'ftp://127.0.0.1/model.gguf', 'redirect-data': 'data:application/octet-stream;base64,R0dVRg==', 'redirect-loop': url.pathname } as Record<string, string>;
    if (mode && redirect[mode] && !url.pathname.startsWith('/cdn/')) {
      response.writeHead(302, { Location: redirect[mode]!, 'Content-Length': '0' }).end();
      return;
    }
    const resolveMatch = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolveMatch) {
      const [, owner, repo, , file] = resolveMatch;
      const bytes = byKey.get(`${decodeURIComponent(owner!)}/${decodeURIComponent(repo!)}/${decodeURIComponent(file!)}`);
      if (!bytes) {
        response.writeHead(404, { 'Content-Type': 'text/plain', 'X-Error-Code': 'EntryNotFound' }).end('Entry not found');
        return;
      }
      const hash = sha256(bytes);
      response
        .writeHead(302, { Location: `/cdn/${hash}?download=true`, 'X-Linked-Size': String(bytes.length), 'X-Linked-Etag': `"${hash}"`, ETag: `"${hash}"`, 'Content-Length': '0' })
        .end();
      return;
    }
    const cdnMatch = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    const bytes = cdnMatch ? byHash.get(cdnMatch[1]!) : undefined;
    if (!bytes) {
      response.writeHead(404).end();
      return;
    }
    const headers = { 'Accept-Ranges': 'bytes', ETag: `"${cdnMatch![1]}"`, 'Content-Type': 'application/octet-stream' };
    if (mode === 'endless') {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const pump = () => {
        while (!response.destroyed && response.write(Buffer.alloc(64 * 1024, 0x47))) sent += 64 * 1024;
        if (!response.destroyed) response.once('drain', pump);
      };
      pump();
      return;
    }
    if (mode === 'oversize') {
      response.writeHead(200, { ...headers, 'Content-Length': String(bytes.length) });
      // More than announced: HTTP/1.1 framing would cut it, so the socket is written directly.
      response.flushHeaders();
      response.socket?.write(Buffer.concat([bytes, bytes]));
      response.socket?.end();
      return;
    }
    // If-Range (RFC 9110 §13.1.5): the range only if the validator still names this file.
    const ifRange = request.headers['if-range'] as string | undefined;
    const rangeHeader = mode === 'ignore-range' || (ifRange !== undefined && ifRange !== headers.ETag) ? undefined : request.headers.range;
    const range = /^bytes=(\d+)-(\d*)$/.exec(rangeHeader ?? '');
    let start = 0;
    let end = bytes.length - 1;
    let status = 200;
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
      if (start > end || start >= bytes.length) {
        response.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` }).end();
        return;
      }
      status = 206;
    }
    const body = bytes.subarray(start, end + 1);
    response.writeHead(status, { ...headers, 'Content-Length': String(body.length), ...(status === 206 ? { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` } : {}) });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    void sendBody(response, body, start);
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const response of hanging) response.destroy();
      hold = undefined;
      holdChanged.resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    endpoint: `http://127.0.0.1:${port}/`,
    requests,
    sentBytes: () => sent,
    setRate: (value) => (rate = value),
    holdAt(offset) {
      hold = offset;
      const changed = holdChanged;
      holdChanged = signal();
      changed.resolve();
    },
    replace(key, bytes) {
      byKey.set(key, bytes);
      byHash.set(sha256(bytes), bytes);
    },
    setMode: (value) => (mode = value),
    close,
    [Symbol.asyncDispose]: close,
  };
}
