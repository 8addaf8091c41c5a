// A message pipe to the API: the preload's IPC bridge in Electron, a WebSocket in
// browser mode. Both carry the same protocol messages; nothing above this file
// knows which one it has.
import type { PreloadBridge } from '../../../../electron/preload/channel.std';
import type { ClientMessage, ServerMessage } from '../../../../electron/api/protocol.std';

export type PipeStatus = 'connecting' | 'open' | 'closed' | 'unauthorized';

export interface Pipe {
  readonly kind: 'ipc' | 'websocket';
  /** Returns false when the message could not be sent (not connected). */
  send(message: ClientMessage): boolean;
  onMessage(listener: (message: ServerMessage) => void): () => void;
  onStatus(listener: (status: PipeStatus) => void): () => void;
  close(): void;
}

class Listeners<T> {
  readonly #set = new Set<(value: T) => void>();
  add(listener: (value: T) => void): () => void {
    this.#set.add(listener);
    return () => this.#set.delete(listener);
  }
  emit(value: T): void {
    for (const listener of this.#set) listener(value);
  }
}

export function ipcPipe(bridge: PreloadBridge): Pipe {
  const messages = new Listeners<ServerMessage>();
  const statuses = new Listeners<PipeStatus>();
  const stop = bridge.onMessage((message) => messages.emit(message as ServerMessage));
  return {
    kind: 'ipc',
    send(message) {
      bridge.send(message);
      return true;
    },
    onMessage: (listener) => messages.add(listener),
    onStatus(listener) {
      listener('open');
      return statuses.add(listener);
    },
    close: stop,
  };
}

export interface WebSocketPipeOptions {
  /** ws:// URL of the API endpoint, with the token. */
  url: string;
  /** Checks the token over HTTP when the socket fails, to tell "refused" from "down". */
  checkToken: () => Promise<boolean>;
  /** First and largest delay between reconnection attempts, in ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export function webSocketPipe(options: WebSocketPipeOptions): Pipe {
  const messages = new Listeners<ServerMessage>();
  const statuses = new Listeners<PipeStatus>();
  const minDelay = options.minDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  let status: PipeStatus = 'connecting';
  let socket: WebSocket | undefined;
  let delay = minDelay;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const setStatus = (next: PipeStatus) => {
    if (next === status) return;
    status = next;
    statuses.emit(next);
  };

  const connect = () => {
    if (closed) return;
    setStatus('connecting');
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      delay = minDelay;
      setStatus('open');
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      try {
        messages.emit(JSON.parse(event.data) as ServerMessage);
      } catch {
        // The server only sends JSON; anything else is dropped rather than crash the app.
      }
    };
    ws.onclose = () => {
      if (socket !== ws || closed) return;
      socket = undefined;
      setStatus('closed');
      void options.checkToken().then(
        (ok) => (ok ? retry() : setStatus('unauthorized')),
        () => retry(),
      );
    };
  };

  const retry = () => {
    if (closed) return;
    timer = setTimeout(connect, delay);
    delay = Math.min(maxDelay, delay * 2);
  };

  connect();
  return {
    kind: 'websocket',
    send(message) {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    onMessage: (listener) => messages.add(listener),
    onStatus(listener) {
      listener(status);
      return statuses.add(listener);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
