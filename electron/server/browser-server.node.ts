// Browser mode: the built renderer and the API (WebSocket at /api) on 127.0.0.1,
// guarded by a per-run token and Host/Origin checks.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiSession } from '../api/session.std';
import { MAX_MESSAGE_BYTES } from '../api/protocol.std';
import type { AppServices } from '../services/app-services.node';
import { DisposedError } from '../../native-bridge/resource/disposed-error.std';
import { createToken, isAllowedHost, isAllowedOrigin, LOOPBACK_HOST, securityHeaders, tokensMatch } from './security.node';
import { serveStatic } from './static-files.node';

export const DEFAULT_PORT = 7319;
export const API_PATH = '/api';
export const SESSION_CHECK_PATH = '/api/session';

export interface BrowserServerOptions {
  services: AppServices;
  /** Folder of the built renderer (index.html and assets/). */
  rendererDir: string;
  /** TCP port on 127.0.0.1. Default DEFAULT_PORT; 0 picks a free one. */
  port?: number;
  /** The access token. Default: 256 fresh random bits. */
  token?: string;
}

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

export class BrowserServer implements AsyncDisposable {
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #sockets = new Set<WebSocket>();
  #disposed = false;

  private constructor(
    http: Server,
    wss: WebSocketServer,
    readonly port: number,
    readonly token: string,
  ) {
    this.#http = http;
    this.#wss = wss;
  }

  /** The address to open: the token rides in the fragment, which browsers never send to a server. */
  get url(): string {
    if (this.#disposed) throw new DisposedError('BrowserServer');
    return `http://${LOOPBACK_HOST}:${this.port}/#token=${this.token}`;
  }

  get connectionCount(): number {
    return this.#sockets.size;
  }

  static async start(options: BrowserServerOptions): Promise<BrowserServer> {
    const token = options.token ?? createToken();
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    const http = createServer();
    const port = await listen(http, options.port ?? DEFAULT_PORT);
    const server = new BrowserServer(http, wss, port, token);
    const headers = securityHeaders(port);

    http.on('request', (request, response) => {
      if (!isAllowedHost(request.headers.host, port)) {
        response.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('This server answers only to 127.0.0.1 and localhost.\n');
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
        return;
      }
      const path = new URL(request.url ?? '/', `http://${LOOPBACK_HOST}`).pathname;
      if (path === SESSION_CHECK_PATH) {
        // Lets the page tell a refused token from a server that is down; says nothing else.
        const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        response.writeHead(tokensMatch(token, given) ? 204 : 401, { ...headers, 'Cache-Control': 'no-store' }).end();
        return;
      }
      serveStatic(options.rendererDir, path, response, headers, request.method === 'HEAD').catch(() => response.destroy());
    });

    http.on('upgrade', (request, socket, head) => server.#upgrade(request, socket, head, options.services));
    return server;
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, services: AppServices): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', `http://${LOOPBACK_HOST}`);
    const refusal =
      url.pathname !== API_PATH
        ? ([404, 'No WebSocket endpoint here.'] as const)
        : !isAllowedHost(request.headers.host, this.port)
          ? ([421, 'Wrong Host header.'] as const)
          : !isAllowedOrigin(request.headers.origin, this.port)
            ? ([403, 'Foreign Origin refused.'] as const)
            : !tokensMatch(this.token, url.searchParams.get('token'))
              ? ([401, 'Missing or wrong token: open the URL that `lightseed serve` printed.'] as const)
              : undefined;
    if (refusal || this.#disposed) {
      const [status, text] = refusal ?? [503, 'Server is shutting down.'];
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, services));
  }

  #accept(ws: WebSocket, services: AppServices): void {
    this.#sockets.add(ws);
    const session = new ApiSession({
      router: services.router,
      hub: services.hub,
      send: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) session.receiveBinary();
      else session.receiveText(data.toString('utf8'));
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      session.dispose();
      this.#sockets.delete(ws);
    });
  }

  /** Closes every connection and stops listening. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const ws of this.#sockets) ws.close(1001, 'LightSeed is shutting down');
    await new Promise<void>((resolve) => {
      this.#http.close(() => resolve());
      this.#http.closeAllConnections();
      for (const ws of this.#sockets) ws.terminate();
    });
    this.#wss.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

function listen(http: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(`Port ${port} on ${LOOPBACK_HOST} is already in use: pass --port with another number (0 picks a free one).`, { cause: error })
          : error,
      );
    });
    http.listen(port, LOOPBACK_HOST, () => {
      const address = http.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
