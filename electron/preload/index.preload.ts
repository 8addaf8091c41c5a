// Runs in the sandboxed renderer before the page. Exposes a message pipe for the
// API protocol and nothing else: no ipcRenderer, no Node.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNEL, type PreloadBridge } from './channel.std';

const bridge: PreloadBridge = {
  transport: 'ipc',
  send(message) {
    ipcRenderer.send(IPC_CHANNEL, message);
  },
  onMessage(listener) {
    const wrapped = (_event: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(IPC_CHANNEL, wrapped);
    return () => {
      ipcRenderer.off(IPC_CHANNEL, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('lightseed', bridge);
