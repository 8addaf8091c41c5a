// The Electron shell: one window, the services, the IPC binding, a clean shutdown.
// Everything it decides is in plain modules tested without Electron (window-options,
// ipc-binding, quit-guard, crash-log); this file only wires them to Electron.
import { join } from 'node:path';
import { app, BrowserWindow, crashReporter, dialog, nativeTheme, session, shell } from 'electron';
import { buildPathsFrom } from '../paths/build-paths.node';
import { resolveDataDir } from '../paths/data-dir.node';
import { AppServices } from '../services/app-services.node';
import { logUncaught, openCrashLog } from './crash-log.node';
import { utilityProcessEngine } from './engine-process.main';
import { bindIpc } from './ipc.main';
import { quitGuard } from './quit-guard.std';
import { allowNavigation, allowPermission, mainWindowOptions } from './window-options.std';

const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const appOrigin = devServerUrl ? new URL(devServerUrl).origin : 'file://';
// The same data folder as the command line and browser mode (--data-dir, XDG_DATA_HOME, or the platform's place).
const dataFlagAt = process.argv.indexOf('--data-dir');
const dataFlag = dataFlagAt > 0 ? process.argv[dataFlagAt + 1] : process.argv.find((arg) => arg.startsWith('--data-dir='))?.slice('--data-dir='.length);
const dataDir = resolveDataDir({ flag: dataFlag });
const crashLog = openCrashLog(join(dataDir, 'logs'));
const log = (message: string, error?: unknown) => crashLog.write(message, error);

// Native crash dumps stay on this machine: uploading is off, and the dumps go next to the log.
app.setPath('crashDumps', join(dataDir, 'crashes'));
crashReporter.start({ uploadToServer: false, compress: true });
logUncaught(process, crashLog);

let services: AppServices | undefined;
let unbindIpc: (() => void) | undefined;

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(
    mainWindowOptions({ preloadPath: join(import.meta.dirname, '../preload/index.cjs'), dark: nativeTheme.shouldUseDarkColors }),
  );
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event, url) => {
    if (!allowNavigation(url, appOrigin)) event.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the outside open in the user's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('render-process-gone', (_event, details) => log(`Renderer gone: ${details.reason} (exit code ${details.exitCode})`));
  window.webContents.on('unresponsive', () => log('The window stopped responding'));
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
  app.on('child-process-gone', (_event, details) => {
    if (details.reason !== 'clean-exit') log(`${details.type} process gone: ${details.reason} (exit code ${details.exitCode})${details.name ? ` ${details.name}` : ''}`);
  });

  app.whenReady().then(async () => {
    session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) => {
      const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
      callback(allowPermission(permission, contents.getURL(), appOrigin, mediaTypes));
    });
    session.defaultSession.setPermissionCheckHandler((contents, permission, requestingOrigin, details) =>
      allowPermission(permission, contents?.getURL() ?? requestingOrigin, appOrigin, details.mediaType ? [details.mediaType] : []),
    );
    services = await AppServices.create({
      dataDir,
      mode: 'electron',
      log,
      paths: buildPathsFrom(import.meta.url),
      engineSpawner: utilityProcessEngine,
      // `npm start` builds better-sqlite3 for Electron beside node_modules' copy, which stays Node's.
      ...(process.env.LIGHTSEED_SQLITE_BINDING ? { sqliteBinding: process.env.LIGHTSEED_SQLITE_BINDING } : {}),
    });
    unbindIpc = bindIpc(services, appOrigin, (message) => log(message));
    createWindow();
    // The circle this installation joined, if any (joining was the opt-in); failing to connect is logged, not fatal.
    services.swarm.start().catch((error: unknown) => log('The circle could not be joined', error));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  }).catch((error: unknown) => {
    log('LightSeed could not start', error);
    // Said in words before quitting: a refused database must not look like a crash.
    dialog.showErrorBox('LightSeed could not start', `${error instanceof Error ? error.message : String(error)}\n\nDetails are in ${crashLog.path}`);
    app.exit(1);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Graceful shutdown, also on Ctrl-C in a terminal and on a logout's SIGTERM.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  app.on(
    'will-quit',
    quitGuard({
      shutdown: async () => {
        unbindIpc?.();
        const closing = services;
        services = undefined;
        await closing?.shutdown();
      },
      quit: () => app.quit(),
      log,
    }),
  );
}
