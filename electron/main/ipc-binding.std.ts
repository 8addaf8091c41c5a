// The API served over one IPC channel: one session per renderer (WebContents), the
// same protocol, validation and event streams as browser mode's WebSocket. Written
// against the few members of ipcMain and WebContents it uses, so it is tested without
// Electron; ipc.main.ts hands it the real ones.
import { ApiSession } from '../api/session.std';
import type { EventHub } from '../api/event-hub.std';
import type { Router } from '../api/router.std';
import type { ServerMessage } from '../api/protocol.std';
import { IPC_CHANNEL } from '../preload/channel.std';
import { isAppUrl } from './window-options.std';

/** The members of Electron's WebContents the binding uses. */
export interface IpcSender {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, message: ServerMessage): void;
  once(event: 'destroyed' | 'did-navigate', listener: () => void): unknown;
}

/** The members of Electron's IpcMainEvent the binding uses. */
export interface IpcEvent {
  readonly sender: IpcSender;
  /** The frame that sent the message: null once it navigated away or was destroyed. */
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface IpcMainLike {
  on(channel: string, listener: (event: IpcEvent, message: unknown) => void): unknown;
  off(channel: string, listener: (event: IpcEvent, message: unknown) => void): unknown;
}

export interface ApiBindingOptions {
  router: Router;
  hub: EventHub;
  /** 'file://' for the built app, the dev server's origin in development. */
  appOrigin: string;
  log: (message: string) => void;
}

/** Starts serving; the returned function stops it and ends every session. */
export function bindApiChannel(ipc: IpcMainLike, options: ApiBindingOptions): () => void {
  const sessions = new Map<number, ApiSession>();

  const sessionFor = (contents: IpcSender): ApiSession => {
    let session = sessions.get(contents.id);
    if (!session) {
      session = new ApiSession({
        router: options.router,
        hub: options.hub,
        send: (message) => {
          if (!contents.isDestroyed()) contents.send(IPC_CHANNEL, message);
        },
      });
      sessions.set(contents.id, session);
      // A reload or crash starts a fresh session; the old one's subscriptions go. Only a new
      // document counts: the renderer's views change the URL fragment, which keeps the session.
      const end = () => {
        sessions.get(contents.id)?.dispose();
        sessions.delete(contents.id);
      };
      contents.once('destroyed', end);
      contents.once('did-navigate', end);
    }
    return session;
  };

  const onMessage = (event: IpcEvent, message: unknown) => {
    const frame = event.senderFrame;
    // Only the app's own top-level page speaks the API: never an iframe, never a page
    // the window was somehow navigated to.
    if (!frame || frame.parent || !isAppUrl(frame.url, options.appOrigin)) {
      options.log(`Dropped an API message from an untrusted frame: ${frame?.url ?? '(gone)'}`);
      return;
    }
    sessionFor(event.sender).receive(message);
  };

  ipc.on(IPC_CHANNEL, onMessage);
  return () => {
    ipc.off(IPC_CHANNEL, onMessage);
    for (const session of sessions.values()) session.dispose();
    sessions.clear();
  };
}
