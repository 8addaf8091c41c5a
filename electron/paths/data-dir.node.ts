// Where LightSeed keeps its data outside Electron (CLI and browser mode).
// The Electron app uses app.getPath('userData') instead.
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export interface DataDirInputs {
  /** The --data-dir flag, if given. */
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  cwd?: string;
}

/** --data-dir, else $XDG_DATA_HOME/lightseed, else the platform's usual place for app data. */
export function resolveDataDir(inputs: DataDirInputs = {}): string {
  const env = inputs.env ?? process.env;
  const platform = inputs.platform ?? process.platform;
  const path = platform === 'win32' ? win32 : posix;
  const cwd = inputs.cwd ?? process.cwd();
  if (inputs.flag) return path.resolve(cwd, inputs.flag);
  // XDG Base Directory: a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'lightseed');
  const home = inputs.home ?? homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'lightseed');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'lightseed');
    default:
      return path.join(home, '.local', 'share', 'lightseed');
  }
}
