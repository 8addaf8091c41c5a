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

export interface HfServerOptions {
  /** Bytes per second for content bodies, all connections together; default unlimited. */
  bytesPerSecond?: number;
  /** Destroy the socket of the first content response after this many body bytes. */
  dropAfterBytes?: number;
}

export interface RecordedRequest {
  method: string;
  url: string;
  range: string | undefined;
}

export interface HfServer extends AsyncDisposable {
  /** http://127.0.0.1:PORT/ */
  endpoint: string;
  requests: RecordedRequest[];
  /** Bytes of content sent so far. */
  sentBytes(): number;
  setRate(bytesPerSecond: number | undefined): void;
  close(): Promise<void>;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export async function startHfServer(files: ServedFile[], options: HfServerOptions = {}): Promise<HfServer> {
  const byKey = new Map(files.map((f) => [f.key, f.bytes]));
  const byHash = new Map(files.map((f) => [sha256(f.bytes), f.bytes]));
  const requests: RecordedRequest[] = [];
  let rate = options.bytesPerSecond;
  let dropPending = options.dropAfterBytes;
  let sent = 0;
  let nextFree = 0;

  async function sendBody(response: ServerResponse, body: Buffer): Promise<void> {
    const drop = dropPending;
    if (drop !== undefined) dropPending = undefined;
    const chunk = 16 * 1024;
    for (let at = 0; at < body.length; at += chunk) {
      if (response.destroyed) return;
      const piece = body.subarray(at, Math.min(body.length, at + chunk));
      if (drop !== undefined && at + piece.length > drop) {
        response.write(piece.subarray(0, Math.max(0, drop - at)));
        sent += Math.max(0, drop - at);
        response.socket?.destroy();
        return;
      }
      if (!response.write(piece)) await new Promise((resolve) => response.once('drain', resolve));
      sent += piece.length;
      if (rate) {
        // One rate for all connections together, as a slow line would have: ipull opens several.
        const now = performance.now();
        nextFree = Math.max(now, nextFree) + (piece.length / rate) * 1000;
        await new Promise((resolve) => setTimeout(resolve, nextFree - now));
      }
    }
    response.end();
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: request.method ?? 'GET', url: url.pathname, range: request.headers.range });
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
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
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
    void sendBody(response, body);
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    endpoint: `http://127.0.0.1:${port}/`,
    requests,
    sentBytes: () => sent,
    setRate: (value) => (rate = value),
    close,
    [Symbol.asyncDispose]: close,
  };
}
