// Picks the transport at start-up: the preload's bridge when running in
// Electron, otherwise a WebSocket to the server that served this page.
import type { PreloadBridge } from '../../../../electron/preload/channel.std';
import { ApiClient } from './client.dom';
import { ipcPipe, webSocketPipe } from './pipe.dom';

const TOKEN_KEY = 'lightseed.token';

/**
 * The token arrives in the URL fragment (#token=…), never sent to a server.
 * It is moved to sessionStorage (this tab only) and removed from the address bar.
 */
export function takeToken(location: Location, storage: Storage, history: History): string | undefined {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match) {
    storage.setItem(TOKEN_KEY, match[1]!);
    history.replaceState(null, '', location.pathname + location.search);
    return match[1];
  }
  return storage.getItem(TOKEN_KEY) ?? undefined;
}

export function connect(): ApiClient {
  const bridge = (window as { lightseed?: PreloadBridge }).lightseed;
  if (bridge?.transport === 'ipc') return new ApiClient(ipcPipe(bridge));
  const token = takeToken(window.location, window.sessionStorage, window.history) ?? '';
  const wsUrl = new URL('/api', window.location.href);
  wsUrl.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  wsUrl.searchParams.set('token', token);
  return new ApiClient(
    webSocketPipe({
      url: wsUrl.href,
      checkToken: async () => (await fetch('/api/session', { headers: { Authorization: `Bearer ${token}` } })).status !== 401,
    }),
  );
}
