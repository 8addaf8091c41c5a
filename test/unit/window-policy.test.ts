import { describe, expect, it } from 'vitest';
import { allowNavigation, allowPermission, isAppUrl, mainWindowOptions } from '../../electron/main/window-options.std';
import { contentSecurityPolicy, INDEX_HTML_CSP } from '../../electron/security/csp.std';

describe('Electron window options', () => {
  const { webPreferences } = mainWindowOptions({ preloadPath: '/app/out/preload/index.cjs', dark: false });

  it('isolate and sandbox the renderer with no Node integration', () => {
    expect(webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(webPreferences.preload).toMatch(/\.cjs$/);
  });
});

describe('navigation and permissions', () => {
  it('keep the window on the app: the built file or the dev server origin only', () => {
    expect(allowNavigation('file:///app/out/renderer/index.html#/chat', 'file://')).toBe(true);
    expect(allowNavigation('https://example.com/', 'file://')).toBe(false);
    expect(allowNavigation('http://localhost:5173/#/tree', 'http://localhost:5173')).toBe(true);
    expect(allowNavigation('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isAppUrl('not a url', 'file://')).toBe(false);
  });

  it('grant audio capture to the app page and nothing else to anyone', () => {
    expect(allowPermission('media', 'file:///app/index.html', 'file://', ['audio'])).toBe(true);
    expect(allowPermission('media', 'file:///app/index.html', 'file://', ['audio', 'video'])).toBe(false);
    expect(allowPermission('media', 'https://evil.example/', 'file://', ['audio'])).toBe(false);
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'serial']) {
      expect(allowPermission(permission, 'file:///app/index.html', 'file://')).toBe(false);
    }
  });
});

describe('Content-Security-Policy', () => {
  it('allows only its own scripts and styles, no inline code, no eval, no plugins', () => {
    for (const policy of [INDEX_HTML_CSP, contentSecurityPolicy()]) {
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("style-src 'self'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).toContain("base-uri 'none'");
      expect(policy).not.toMatch(/unsafe-(inline|eval)/);
    }
  });

  it('lets the page reach loopback WebSockets only', () => {
    expect(INDEX_HTML_CSP).toContain("connect-src 'self' ws://127.0.0.1:* ws://localhost:*");
    expect(contentSecurityPolicy({ connect: ['ws://127.0.0.1:9'] })).toContain("connect-src 'self' ws://127.0.0.1:9;");
  });
});

describe('permission checks without a media type', () => {
  it('refuse media capture that names no device kind', () => {
    expect(allowPermission('media', 'file:///app/index.html', 'file://', [])).toBe(false);
    expect(allowPermission('media', 'file:///app/index.html', 'file://', ['unknown'])).toBe(false);
  });
});
