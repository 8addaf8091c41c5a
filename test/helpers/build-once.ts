// Vitest global setup: build the app (main, CLI, preload, renderer) before the tests
// that spawn `bin/lightseed.js` or load the renderer in Chromium.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.LIGHTSEED_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
