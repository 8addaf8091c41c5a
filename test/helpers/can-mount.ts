import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether this machine lets the tests mount a small tmpfs (root, and permission to mount): tried, not assumed. */
export function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'lightseed-mount-probe-'));
  try {
    return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0 && spawnSync('umount', [probe]).status === 0;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** What each process holds under `path`: open files, mapped files and working folders, as "PID (NAME): WHAT". */
export function holdersOf(path: string): { pid: number; what: string }[] {
  const found: { pid: number; what: string }[] = [];
  const under = (target: string) => target === path || target.startsWith(`${path}/`);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const note = (what: string) => found.push({ pid, what: `${pid} (${name}): ${what}` });
      if (under(readlinkSync(`/proc/${pid}/cwd`))) note('its working folder');
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (under(target)) note(`file descriptor ${fd} on ${target}`);
      }
      for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
        const file = line.split(/\s+/)[5];
        if (file && under(file)) note(`a mapping of ${file}`);
      }
    } catch {
      // The process ended while it was being read, or is not ours to read.
    }
  }
  return found;
}

/**
 * Unmounts what a test mounted. On a busy machine a file another test's process touched
 * may still be closing, so it tries again for a few seconds; a file this test process still
 * holds is a leak and fails the test, with what holds it. Anything else (a process outside
 * this test that will not let go) is detached lazily and reported, so it cannot leave the
 * mount behind for the next test.
 */
export async function unmount(path: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (spawnSync('umount', [path]).status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const holders = holdersOf(path);
  execFileSync('umount', ['--lazy', path]);
  const ours = holders.filter((h) => h.pid === process.pid);
  if (ours.length > 0) throw new Error(`This test process still holds files on ${path} after the test: ${ours.map((h) => h.what).join('; ')}.`);
  console.warn(`${path} stayed busy for 5 s and was detached lazily; holders: ${holders.map((h) => h.what).join('; ') || 'none found in /proc'}.`);
}
