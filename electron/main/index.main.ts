// The Electron shell: one window, the services, the IPC binding, a clean shutdown.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, nativeTheme, session, shell } from 'electron';
import { buildPathsFrom } from '../paths/build-paths.node';
import { AppServices } from '../services/app-services.node';
import { utilityProcessEngine } from './engine-process.main';
import { bindIpc } from './ipc.main';
import { allowNavigation, allowPermission, mainWindowOptions } from './window-options.std';

const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const appOrigin = devServerUrl ? new URL(devServerUrl).origin : 'file://';
let services: AppServices | undefined;
let unbindIpc: (() => void) | undefined;

/** Crashes and internal errors go to a local log file only; nothing leaves the machine. */
function log(message: string, error?: unknown): void {
  const line = `${new Date().toISOString()} ${message}${error ? ` ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` : ''}\n`;
  try {
    const dir = join(app.getPath('userData'), 'logs');
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, 'main.log'), line);
  } catch {
    process.stderr.write(line);
  }
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(
    mainWindowOptions({ preloadPath: join(import.meta.dirname, '../preload/index.cjs'), dark: nativeTheme.shouldUseDarkColors }),
  );
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event, url) => {
    if (!allowNavigation(url, appOrigin)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the outside open in the user's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('render-process-gone', (_event, details) => log(`Renderer gone: ${details.reason}`));
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  process.on('uncaughtException', (error) => log('Uncaught exception in the main process', error));

  app.whenReady().then(async () => {
    session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) => {
      const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
      callback(allowPermission(permission, contents.getURL(), appOrigin, mediaTypes));
    });
    services = await AppServices.create({ dataDir: app.getPath('userData'), mode: 'electron', log, paths: buildPathsFrom(import.meta.url), engineSpawner: utilityProcessEngine });
    unbindIpc = bindIpc(services, appOrigin, (message) => log(message));
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  }).catch((error: unknown) => {
    log('LightSeed could not start', error);
    // Said in words before quitting: a refused database must not look like a crash.
    dialog.showErrorBox('LightSeed could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Graceful shutdown: stop a running harvest (its credit stays in the pool), then close the database.
  let quitting = false;
  app.on('will-quit', (event) => {
    if (quitting || !services) return;
    quitting = true;
    event.preventDefault();
    unbindIpc?.();
    const closing = services;
    services = undefined;
    closing
      .shutdown()
      .catch((error: unknown) => log('Shutdown failed', error))
      .finally(() => app.quit());
  });
}
