// Serves the API to renderer windows over one IPC channel, with the same
// protocol and sessions as browser mode. Messages from any frame that is not
// the app's own page are dropped.
import { ipcMain, type IpcMainEvent, type WebContents } from 'electron';
import { ApiSession } from '../api/session.std';
import type { AppServices } from '../services/app-services.node';
import { IPC_CHANNEL } from '../preload/channel.std';
import { isAppUrl } from './window-options.std';

export function bindIpc(services: AppServices, appOrigin: string, log: (message: string) => void): () => void {
  const sessions = new Map<number, ApiSession>();

  const sessionFor = (contents: WebContents): ApiSession => {
    let session = sessions.get(contents.id);
    if (!session) {
      session = new ApiSession({
        router: services.router,
        hub: services.hub,
        send: (message) => {
          if (!contents.isDestroyed()) contents.send(IPC_CHANNEL, message);
        },
      });
      sessions.set(contents.id, session);
      // A reload or crash starts a fresh session; the old one's subscriptions go. Only a new
      // document counts: the renderer's views change the URL fragment, which must keep the session.
      const end = () => {
        sessions.get(contents.id)?.dispose();
        sessions.delete(contents.id);
      };
      contents.once('destroyed', end);
      contents.once('did-navigate', end);
    }
    return session;
  };

  const onMessage = (event: IpcMainEvent, message: unknown) => {
    const frameUrl = event.senderFrame?.url ?? '';
    if (!isAppUrl(frameUrl, appOrigin) || event.senderFrame?.parent) {
      log(`Dropped an API message from an untrusted frame: ${frameUrl}`);
      return;
    }
    sessionFor(event.sender).receive(message);
  };

  ipcMain.on(IPC_CHANNEL, onMessage);
  return () => {
    ipcMain.off(IPC_CHANNEL, onMessage);
    for (const session of sessions.values()) session.dispose();
    sessions.clear();
  };
}
