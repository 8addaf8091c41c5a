// What `npm run build` emits: a CommonJS preload a sandboxed renderer can load,
// a CSP in index.html, and a renderer bundle free of Node and of server code.
import { readdirSync, readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { IPC_CHANNEL } from '../../electron/preload/channel.std';
import { INDEX_HTML_CSP } from '../../electron/security/csp.std';

const out = (path: string) => new URL(`../../out/${path}`, import.meta.url);

describe('the preload bundle', () => {
  const code = readFileSync(out('preload/index.cjs'), 'utf8');

  it('is CommonJS that requires nothing but electron', () => {
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('exposes only a message pipe on one channel, never ipcRenderer itself', () => {
    const exposed: Record<string, unknown> = {};
    const calls: unknown[][] = [];
    const ipcRenderer = {
      send: (...args: unknown[]) => calls.push(['send', ...args]),
      on: (...args: unknown[]) => calls.push(['on', ...args]),
      off: (...args: unknown[]) => calls.push(['off', ...args]),
    };
    const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) }, ipcRenderer };
    // Evaluate the built file in a fresh context whose require knows only electron, as Electron's sandbox does.
    runInNewContext(code, {
      require: (name: string) => {
        if (name !== 'electron') throw new Error(`sandboxed preload cannot require ${name}`);
        return electron;
      },
      module: { exports: {} },
      exports: {},
    });
    expect(Object.keys(exposed)).toEqual(['lightseed']);
    const bridge = exposed.lightseed as { transport: string; send: (m: unknown) => void; onMessage: (l: () => void) => () => void };
    expect(Object.keys(bridge).sort()).toEqual(['onMessage', 'send', 'transport']);
    expect(bridge.transport).toBe('ipc');
    bridge.send({ t: 'sub', event: 'app.heartbeat' });
    const stop = bridge.onMessage(() => {});
    stop();
    expect(calls.map((c) => [c[0], c[1]])).toEqual([
      ['send', IPC_CHANNEL],
      ['on', IPC_CHANNEL],
      ['off', IPC_CHANNEL],
    ]);
    expect(JSON.stringify(bridge)).not.toContain('ipcRenderer');
  });
});

describe('the renderer bundle', () => {
  it('carries the Content-Security-Policy in index.html', () => {
    const html = readFileSync(out('renderer/index.html'), 'utf8');
    const content = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replaceAll('&#39;', "'");
    expect(content).toBe(INDEX_HTML_CSP);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('contains no Node, Electron, database or validation code', () => {
    const assets = readdirSync(out('renderer/assets')).filter((name) => name.endsWith('.js'));
    expect(assets.length).toBeGreaterThan(0);
    for (const name of assets) {
      const code = readFileSync(out(`renderer/assets/${name}`), 'utf8');
      expect(code).not.toMatch(/from\s*["'](node:|electron|better-sqlite3|ws["'])/);
      expect(code).not.toContain('ZodError');
    }
  });
});
