import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../electron/paths/data-dir.node';

describe('data directory', () => {
  const home = '/home/ada';

  it('uses --data-dir first, resolved against the working directory', () => {
    expect(resolveDataDir({ flag: 'seeds', cwd: '/srv', env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux', home })).toBe('/srv/seeds');
    expect(resolveDataDir({ flag: '/abs/dir', env: {}, platform: 'linux', home })).toBe('/abs/dir');
  });

  it('uses $XDG_DATA_HOME/lightseed when set to an absolute path', () => {
    expect(resolveDataDir({ env: { XDG_DATA_HOME: '/xdg/data' }, platform: 'linux', home })).toBe('/xdg/data/lightseed');
  });

  it('ignores a relative $XDG_DATA_HOME, as the XDG spec says', () => {
    expect(resolveDataDir({ env: { XDG_DATA_HOME: 'relative' }, platform: 'linux', home })).toBe('/home/ada/.local/share/lightseed');
  });

  it("falls back to each platform's place for app data", () => {
    expect(resolveDataDir({ env: {}, platform: 'linux', home })).toBe('/home/ada/.local/share/lightseed');
    expect(resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/ada' })).toBe('/Users/ada/Library/Application Support/lightseed');
    expect(resolveDataDir({ env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\ada' })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\lightseed',
    );
  });
});
