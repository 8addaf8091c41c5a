// The browser-mode server over real TCP on 127.0.0.1, with real services and a real database file.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BrowserServer, PortInUseError } from '../../electron/server/browser-server.node';
import { AppServices, DATABASE_FILE } from '../../electron/services/app-services.node';
import { LATEST_SCHEMA_VERSION } from '../../electron/store/migrations.node';
import { makeTempDir } from '../helpers/temp-dir';
import { apiClient, connect as connectTo } from '../helpers/ws-client';
import { DEFAULT_SETTINGS } from '../../electron/settings/settings.std';

let dir: ReturnType<typeof makeTempDir>;
let services: AppServices;
let server: BrowserServer;

beforeAll(async () => {
  dir = makeTempDir();
  const rendererDir = join(dir.path, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>LightSeed</title>');
  writeFileSync(join(rendererDir, 'assets', 'app-123.js'), 'console.log(1)');
  writeFileSync(join(dir.path, 'secret.txt'), 'outside the renderer');
  services = await AppServices.create({ dataDir: join(dir.path, 'data'), mode: 'browser', heartbeatMs: 0 });
  server = await BrowserServer.start({ services, rendererDir, port: 0 });
});

afterAll(async () => {
  await server.dispose();
  await services.shutdown();
  dir.remove();
});

function http(path: string, options: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const connect = (query: string, headers: Record<string, string> = {}, path = '/api') => connectTo(server.port, query, headers, path);
const client = () => apiClient(server.port, server.token);

describe('static files', () => {
  it('serves index.html with a strict CSP naming only its own WebSocket', async () => {
    const res = await http('/', { headers: { Host: `127.0.0.1:${server.port}` } });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>LightSeed</title>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('serves fingerprinted assets as immutable', async () => {
    const res = await http('/assets/app-123.js', { headers: { Host: `localhost:${server.port}` } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/javascript');
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it.each(['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/%00', '/%E0%A4%A'])('does not serve %s', async (path) => {
    const res = await http(path, { headers: { Host: `127.0.0.1:${server.port}` } });
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('outside the renderer');
  });

  it('answers only to its own Host name (no DNS rebinding)', async () => {
    expect((await http('/', { headers: { Host: `evil.example:${server.port}` } })).status).toBe(421);
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await http('/', { method: 'POST', headers: { Host: `127.0.0.1:${server.port}` } })).status).toBe(405);
  });

  it('tells a page whether its token is good, and nothing more', async () => {
    const host = `127.0.0.1:${server.port}`;
    expect((await http('/api/session', { headers: { Host: host, Authorization: `Bearer ${server.token}` } })).status).toBe(204);
    expect((await http('/api/session', { headers: { Host: host, Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await http('/api/session', { headers: { Host: host } })).status).toBe(401);
  });
});

describe('WebSocket gate', () => {
  it('refuses a connection without the token', async () => {
    expect(await connect('')).toEqual({ refused: 401 });
  });

  it('refuses a wrong token, even one that is a prefix of the right one', async () => {
    expect(await connect('?token=nope')).toEqual({ refused: 401 });
    expect(await connect(`?token=${server.token.slice(0, -1)}`)).toEqual({ refused: 401 });
  });

  it('refuses a foreign Origin even with the right token', async () => {
    expect(await connect(`?token=${server.token}`, { Origin: 'http://evil.example' })).toEqual({ refused: 403 });
    expect(await connect(`?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port + 1}` })).toEqual({ refused: 403 });
  });

  it('refuses a foreign Host even with the right token', async () => {
    expect(await connect(`?token=${server.token}`, { Host: `rebind.example:${server.port}` })).toEqual({ refused: 421 });
  });

  it('has no endpoint but /api', async () => {
    expect(await connect(`?token=${server.token}`, {}, '/other')).toEqual({ refused: 404 });
  });
});

describe('API over the WebSocket', () => {
  it('greets, then answers app.info from the real services', async () => {
    const c = await client();
    expect(await c.next((m) => m.t === 'hello')).toEqual({ t: 'hello', apiVersion: 1 });
    const info = await c.call('app.info', {});
    expect(info).toMatchObject({ ok: true, result: { name: 'LightSeed', mode: 'browser', database: { journalMode: 'wal', schemaVersion: LATEST_SCHEMA_VERSION } } });
    c.ws.close();
  });

  it('writes settings to the SQLite file and tells every subscriber', async () => {
    const a = await client();
    const b = await client();
    await b.subscribe('settings.changed');
    expect(await a.call('settings.update', { ...DEFAULT_SETTINGS, theme: 'dark' })).toMatchObject({ ok: true, result: { ...DEFAULT_SETTINGS, theme: 'dark' } });
    expect(await b.next((m) => m.t === 'event')).toEqual({ t: 'event', event: 'settings.changed', payload: { ...DEFAULT_SETTINGS, theme: 'dark' } });
    const raw = new BetterSqlite3(join(dir.path, 'data', DATABASE_FILE), { readonly: true });
    expect(raw.prepare("SELECT value FROM setting WHERE key = 'theme'").pluck().get()).toBe('"dark"');
    raw.close();
    a.ws.close();
    b.ws.close();
  });

  it('answers a malformed payload with a typed error and stays usable', async () => {
    const c = await client();
    expect(await c.call('settings.update', { theme: 42 })).toMatchObject({ ok: false, error: { code: 'invalid_params', issues: [{ path: 'theme' }] } });
    expect(await c.call('no.such', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    c.ws.send('not json');
    expect(await c.next((m) => m.t === 'error')).toMatchObject({ error: { code: 'bad_message' } });
    expect(await c.call('app.ping', { nonce: 'still here' })).toMatchObject({ ok: true, result: { nonce: 'still here' } });
    c.ws.close();
  });
});

describe('server lifecycle', () => {
  it('says clearly when the port is taken', async () => {
    await expect(BrowserServer.start({ services, rendererDir: dir.path, port: server.port })).rejects.toThrow(PortInUseError);
    await expect(BrowserServer.start({ services, rendererDir: dir.path, port: server.port })).rejects.toThrow(/already in use: pass --port/);
  });

  it('closes open connections on dispose', async () => {
    const other = await BrowserServer.start({ services, rendererDir: dir.path, port: 0 });
    const { ws } = await new Promise<{ ws: WebSocket }>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${other.port}/api?token=${other.token}`);
      socket.once('open', () => resolve({ ws: socket }));
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await other.dispose();
    expect(await closed).toBe(1001);
    expect(other.connectionCount).toBe(0);
  });
});
