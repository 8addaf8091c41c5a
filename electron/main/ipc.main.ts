// Serves the API to renderer windows over Electron's IPC (the logic lives in ipc-binding.std.ts).
import { ipcMain } from 'electron';
import type { AppServices } from '../services/app-services.node';
import { bindApiChannel } from './ipc-binding.std';

export function bindIpc(services: AppServices, appOrigin: string, log: (message: string) => void): () => void {
  return bindApiChannel(ipcMain, { router: services.router, hub: services.hub, appOrigin, log });
}
