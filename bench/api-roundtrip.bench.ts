// The API's hot path: one call over the browser-mode WebSocket, through token
// gate, session, zod validation, router and handler, and back. Reference: a bare
// `ws` echo server answering the same JSON on the same machine in the same run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { bindApiChannel, type IpcEvent, type IpcMainLike, type IpcSender } from '../electron/main/ipc-binding.std';
import { BrowserServer } from '../electron/server/browser-server.node';
import { AppServices } from '../electron/services/app-services.node';
import { makeTempDir } from '../test/helpers/temp-dir';
import { measure, report } from './report';

function pingPong(ws: WebSocket, message: string): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send(message);
    });
}

async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise((resolve) => ws.once('message', resolve)); // hello (ours) or readiness (reference)
  return ws;
}

it('api round trip', async () => {
  const dir = makeTempDir();
  mkdirSync(join(dir.path, 'renderer'));
  const services = await AppServices.create({ dataDir: dir.path, mode: 'browser', heartbeatMs: 0 });
  const server = await BrowserServer.start({ services, rendererDir: join(dir.path, 'renderer'), port: 0 });
  const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  echo.on('connection', (ws) => {
    ws.send('ready');
    ws.on('message', (data) => ws.send(JSON.stringify({ t: 'result', id: 1, ok: true, result: JSON.parse(data.toString()).params })));
  });
  await new Promise((resolve) => echo.once('listening', resolve));
  const call = JSON.stringify({ t: 'call', id: 1, method: 'app.ping', params: { nonce: 'bench' } });

  const oursWs = await open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  const refWs = await open(`ws://127.0.0.1:${(echo.address() as { port: number }).port}`);
  const ours = await measure(pingPong(oursWs, call));
  const reference = await measure(pingPong(refWs, call));
  const line = report('api.ping over WebSocket', ours, reference, 'calls/s');
  expect(line).toMatch(/ratio \d/);

  oursWs.close();
  refWs.close();
  echo.close();
  await server.dispose();
  await services.shutdown();
  dir.remove();
});

// The same call as the Electron app makes it: over the IPC binding (frame check, session,
// validation, router, handler), each message structured-cloned as Electron's IPC does.
// Reference: a bare listener on the same channel that clones the request and answers.
it('api round trip over IPC', async () => {
  const dir = makeTempDir();
  const services = await AppServices.create({ dataDir: dir.path, mode: 'electron', heartbeatMs: 0 });
  const page = 'file:///app/out/renderer/index.html';
  const channel = (bind: (ipc: IpcMainLike) => void) => {
    const listeners = new Set<(event: IpcEvent, message: unknown) => void>();
    let answered: (() => void) | undefined;
    const sender: IpcSender = {
      id: 1,
      isDestroyed: () => false,
      send: (_channel, message) => {
        structuredClone(message);
        if (message.t === 'result') answered?.();
      },
      once: () => undefined,
    };
    bind({ on: (_channel, listener) => listeners.add(listener), off: (_channel, listener) => listeners.delete(listener) });
    const call = { t: 'call', id: 1, method: 'app.ping', params: { nonce: 'bench' } };
    return () =>
      new Promise<void>((resolve) => {
        answered = resolve;
        for (const listener of listeners) listener({ sender, senderFrame: { url: page, parent: null } }, structuredClone(call));
      });
  };
  const ours = channel((ipc) => bindApiChannel(ipc, { router: services.router, hub: services.hub, appOrigin: 'file://', log: () => {} }));
  const reference = channel((ipc) =>
    ipc.on('lightseed:api', (event, message) => {
      const { params } = message as { params: unknown };
      queueMicrotask(() => event.sender.send('lightseed:api', { t: 'result', id: 1, ok: true, result: params }));
    }),
  );
  const line = report('api.ping over IPC', await measure(ours), await measure(reference), 'calls/s');
  expect(line).toMatch(/ratio \d/);
  await services.shutdown();
  dir.remove();
});
