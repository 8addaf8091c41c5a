// A protocol client over a real WebSocket, for tests of the browser-mode server.
import WebSocket from 'ws';
import type { ServerMessage } from '../../electron/api/protocol.std';

/** Opens a WebSocket; resolves with the client once open (messages collected from the first byte), or with the HTTP status that refused it. */
export function connect(port: number, query: string, headers: Record<string, string> = {}, path = '/api') {
  return new Promise<{ ws?: WebSocket; inbox?: ServerMessage[]; refused?: number }>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}${query}`, { headers });
    const inbox: ServerMessage[] = [];
    ws.on('message', (data: Buffer) => {
      inbox.push(JSON.parse(data.toString()) as ServerMessage);
      ws.emit('collected');
    });
    ws.once('open', () => resolve({ ws, inbox }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode });
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

/** A client that sends calls and waits for answers and events. */
export async function apiClient(port: number, token: string) {
  const { ws, inbox } = await connect(port, `?token=${token}`, { Origin: `http://127.0.0.1:${port}` });
  if (!ws || !inbox) throw new Error('refused');
  const next = async (predicate: (m: ServerMessage) => boolean): Promise<ServerMessage> => {
    for (;;) {
      const found = inbox.find(predicate);
      if (found) return found;
      await new Promise<void>((wake) => ws.once('collected', wake));
    }
  };
  let id = 0;
  const call = async (method: string, params: unknown) => {
    const callId = ++id;
    ws.send(JSON.stringify({ t: 'call', id: callId, method, params }));
    return next((m) => m.t === 'result' && m.id === callId);
  };
  const subscribe = async (event: string) => {
    ws.send(JSON.stringify({ t: 'sub', event }));
    await call('app.ping', { nonce: 'sync' }); // in place once this answers
  };
  return { ws, inbox, next, call, subscribe };
}
