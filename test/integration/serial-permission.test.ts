// A serial port the OS refuses, for real: a socat PTY that the user running `lightseed
// harvest` may not open (as root, the CLI runs as `nobody`; otherwise the PTY's mode is
// cleared). The CLI says exactly that, with the fix, and credits nothing.
import { spawnSync } from 'node:child_process';
import { chmodSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatedSerialDevice } from '../fixtures/serial-device';
import { BIN } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';

const NOBODY = 65534;
let device: EmulatedSerialDevice;
let dir: ReturnType<typeof makeTempDir>;

beforeAll(async () => {
  device = await EmulatedSerialDevice.start();
  dir = makeTempDir();
  chmodSync(dir.path, 0o777);
});
afterAll(async () => {
  await device.dispose();
  dir.remove();
});

describe('a serial port without permission', () => {
  it('is refused with the dialout advice, and nothing is harvested', () => {
    const tty = realpathSync(device.path);
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) chmodSync(tty, 0);
    const data = join(dir.path, 'data');
    const result = spawnSync(process.execPath, [BIN, 'harvest', '--source', `serial:${tty}?format=raw`, '--data-dir', data], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, HOME: dir.path },
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    expect(result.status).toBe(1);
    const advice = `No permission to open ${tty}: add yourself to the dialout group: sudo usermod -aG dialout $USER, then log in again.`;
    expect(result.stderr).toContain(`lightseed: ${advice}`);
    expect(result.stderr.split(advice)).toHaveLength(2); // said once
    expect(result.stdout).toBe('');
    const genesis = spawnSync(process.execPath, [BIN, 'genesis', 'list', '--json', '--data-dir', data], { encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(genesis.stdout)).toEqual({ genesis: [], poolBits: 0 });
  });
});
