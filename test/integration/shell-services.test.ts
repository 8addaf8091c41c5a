// What the Electron shell does with the services, run here on plain Node: the API over
// the IPC channel (ipcMain and WebContents are stand-ins holding exactly the members the
// binding uses; the router, sessions and services are the real ones), and the graceful
// shutdown that quitting runs: harvest stopped, engine process ended, database closed.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../electron/api/protocol.std';
import { bindApiChannel, type IpcEvent, type IpcMainLike, type IpcSender } from '../../electron/main/ipc-binding.std';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { IPC_CHANNEL } from '../../electron/preload/channel.std';
import { AppServices, DATABASE_FILE } from '../../electron/services/app-services.node';
import { Database } from '../../electron/store/database.node';
import { makeTempDir } from '../helpers/temp-dir';

const paths = buildPathsFrom(new URL('../../out/main/index.js', import.meta.url).href);

class FakeIpcMain extends EventEmitter implements IpcMainLike {
  send(sender: IpcSender, url: string | null, message: unknown, parent: unknown = null): void {
    const event: IpcEvent = { sender, senderFrame: url === null ? null : { url, parent } };
    this.emit(IPC_CHANNEL, event, message);
  }
}

class FakeContents extends EventEmitter implements IpcSender {
  readonly inbox: ServerMessage[] = [];
  destroyed = false;
  constructor(readonly id: number) {
    super();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, message: ServerMessage): void {
    expect(channel).toBe(IPC_CHANNEL);
    this.inbox.push(message);
  }
  async reply(id: number): Promise<ServerMessage> {
    for (let i = 0; i < 200; i++) {
      const found = this.inbox.find((m) => 'id' in m && m.id === id);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`no reply to call ${id}`);
  }
}

const APP_PAGE = 'file:///opt/LightSeed/resources/app.asar/out/renderer/index.html#/bridge';

describe('the API over IPC', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let services: AppServices;
  const ipc = new FakeIpcMain();
  const logged: string[] = [];
  let unbind: () => void;

  beforeAll(async () => {
    dir = makeTempDir();
    services = await AppServices.create({ dataDir: dir.path, mode: 'electron', heartbeatMs: 0 });
    unbind = bindApiChannel(ipc, { router: services.router, hub: services.hub, appOrigin: 'file://', log: (m) => logged.push(m) });
  });
  afterAll(async () => {
    unbind();
    await services.shutdown();
    dir.remove();
  });

  it('answers the app page, and rejects unknown methods and malformed payloads with errors in words', async () => {
    const page = new FakeContents(1);
    ipc.send(page, APP_PAGE, { t: 'call', id: 1, method: 'app.info', params: {} });
    expect(page.inbox[0]).toEqual({ t: 'hello', apiVersion: 1 });
    expect(await page.reply(1)).toMatchObject({ ok: true, result: { name: 'LightSeed', mode: 'electron' } });

    ipc.send(page, APP_PAGE, { t: 'call', id: 2, method: 'fs.readFile', params: { path: '/etc/passwd' } });
    expect(await page.reply(2)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    ipc.send(page, APP_PAGE, { t: 'call', id: 3, method: 'harvest.start', params: { uri: 42 } });
    expect(await page.reply(3)).toMatchObject({ ok: false, error: { code: 'invalid_params', message: expect.stringMatching(/uri/) } });
    ipc.send(page, APP_PAGE, { t: 'call', id: 4, method: 'settings.update', params: { theme: 'dark', nodeIntegration: true } });
    expect(await page.reply(4)).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    const before = page.inbox.length;
    ipc.send(page, APP_PAGE, 'not a message');
    ipc.send(page, APP_PAGE, { t: 'call', id: 'x', method: 'app.info' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(page.inbox.slice(before).every((m) => m.t === 'error')).toBe(true);
    expect(page.inbox.length).toBe(before + 2);
  });

  it('drops messages from iframes, other pages and vanished frames, and logs each', async () => {
    const page = new FakeContents(2);
    ipc.send(page, 'https://attacker.example/', { t: 'call', id: 1, method: 'app.info', params: {} });
    ipc.send(page, APP_PAGE, { t: 'call', id: 2, method: 'app.info', params: {} }, { url: APP_PAGE });
    ipc.send(page, null, { t: 'call', id: 3, method: 'app.info', params: {} });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(page.inbox).toEqual([]);
    expect(logged).toEqual([
      'Dropped an API message from an untrusted frame: https://attacker.example/',
      `Dropped an API message from an untrusted frame: ${APP_PAGE}`,
      'Dropped an API message from an untrusted frame: (gone)',
    ]);
  });

  it('keeps one session per window across view changes and ends it on reload or close', async () => {
    const page = new FakeContents(3);
    ipc.send(page, APP_PAGE, { t: 'sub', event: 'settings.changed' });
    ipc.send(page, APP_PAGE.replace('#/bridge', '#/chat'), { t: 'call', id: 1, method: 'settings.update', params: { theme: 'dark' } });
    await page.reply(1);
    expect(page.inbox.filter((m) => m.t === 'hello')).toHaveLength(1);
    expect(page.inbox.some((m) => m.t === 'event' && m.event === 'settings.changed')).toBe(true);

    // Another window changes a setting: every subscribed session hears it.
    const other = new FakeContents(4);
    let id = 10;
    const changeTheme = (theme: 'light' | 'dark') => {
      const callId = ++id;
      ipc.send(other, APP_PAGE, { t: 'call', id: callId, method: 'settings.update', params: { theme } });
      return other.reply(callId);
    };
    const heard = () => page.inbox.filter((m) => m.t === 'event' && m.event === 'settings.changed').length;
    await changeTheme('light');
    expect(heard()).toBe(2);

    page.emit('did-navigate'); // a reload: the old session and its subscription end
    await changeTheme('dark');
    expect(heard()).toBe(2);
    ipc.send(page, APP_PAGE, { t: 'call', id: 2, method: 'app.ping', params: { nonce: 'again' } });
    expect((await page.reply(2)) as unknown).toMatchObject({ ok: true, result: { nonce: 'again' } });
    expect(page.inbox.filter((m) => m.t === 'hello')).toHaveLength(2);

    ipc.send(page, APP_PAGE, { t: 'sub', event: 'settings.changed' });
    page.destroyed = true;
    page.emit('destroyed');
    await changeTheme('light');
    expect(heard()).toBe(2);
  });
});

describe('graceful shutdown', () => {
  it('stops the harvest, ends the engine process and closes the database cleanly', async () => {
    const dir = makeTempDir();
    try {
      const services = await AppServices.create({ dataDir: dir.path, mode: 'electron', heartbeatMs: 0, paths });
      const { engine, model } = await services.inference.use();
      expect(model.path).toBe(paths.embeddedModel);
      const pid = engine.pid!;
      expect(() => process.kill(pid, 0)).not.toThrow();
      // A calibration far longer than the test: it is running when the app quits.
      await services.entropy.start({ uri: 'jitter:?memory=768', calibrationSamples: 50_000_000 });
      for (let i = 0; i < 400 && services.entropy.status.phase !== 'calibrating'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(services.entropy.status.phase).toBe('calibrating');
      expect(existsSync(join(dir.path, `${DATABASE_FILE}-wal`))).toBe(true);

      await services.shutdown();
      // A second call (a quit after a signal, say) waits for the first and does nothing more.
      await expect(services.shutdown()).resolves.toBeUndefined();

      expect(services.entropy.status.phase).not.toMatch(/opening|calibrating|assessing|harvesting/);
      expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
      expect(() => services.database).toThrow(/disposed/i);
      // The last connection closed: the WAL was checkpointed into the file and removed.
      expect(existsSync(join(dir.path, `${DATABASE_FILE}-wal`))).toBe(false);
      await using reopened = await Database.open({ path: join(dir.path, DATABASE_FILE) });
      expect(reopened.connection.pragma('integrity_check', { simple: true })).toBe('ok');
      await services.shutdown(); // a second quit is harmless
    } finally {
      dir.remove();
    }
  }, 60_000);
});
