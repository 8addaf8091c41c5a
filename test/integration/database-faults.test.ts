// The database file under faults, through the real CLI binary and a real SQLite file: a
// read-only file and folder (a user who is not root), a read-only mount, a full disk (a small
// tmpfs), a damaged page. Each gets its own sentence, nothing calls good data unreadable, and
// the data is intact afterwards. Faults that need root (another user, mounts) are skipped with
// the reason where the tests do not run as root.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, copyFileSync, mkdirSync, openSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traitsFromChain } from '../../electron/agents/traits.node';
import { Database } from '../../electron/store/database.node';
import { birthAgent, divideAgent, recomputeDescendantCounts } from '../../electron/store/lineage.node';
import { BIN, runCli } from '../helpers/cli';
import { insertGenesis } from '../helpers/genesis';
import { expectStatsAsRecomputed } from '../helpers/recomputed-stats';
import { makeTempDir } from '../helpers/temp-dir';
import { canMount, unmount } from '../helpers/can-mount';
import { tinyModel } from '../helpers/tiny-model';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
/** Whether this machine lets the tests act as another user and mount file systems: tried, not assumed. */
const hasSetpriv = isRoot && spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'true']).status === 0;
const mountable = canMount();

let dir: ReturnType<typeof makeTempDir>;
let model: string;
let bundle: string;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A data folder with a database that has one agent and two unused Genesis records. */
async function dataFolder(name: string): Promise<string> {
  const data = join(dir.path, name);
  await using db = await Database.open({ path: join(data, 'lightseed.db') });
  insertGenesis(db.connection);
  insertGenesis(db.connection);
  insertGenesis(db.connection);
  return data;
}

/** The CLI as the user `nobody`, who owns nothing here. */
function asNobody(args: string[]) {
  const result = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  dir = makeTempDir();
  chmodSync(dir.path, 0o755); // nobody must reach the folders inside
  model = join(dir.path, 'tiny.gguf');
  await tinyModel(model, 5);
  chmodSync(model, 0o644);
  const source = await dataFolder('source');
  expect(runCli(['--data-dir', source, 'birth', '1', '--name', 'Ada']).status).toBe(0);
  bundle = join(dir.path, 'ada.json');
  expect(runCli(['--data-dir', source, 'export', 'Ada', bundle]).status).toBe(0);
  chmodSync(bundle, 0o644);
}, 60_000);
afterAll(() => dir?.remove());

describe.skipIf(!hasSetpriv)(`a read-only database for a user who is not its owner${hasSetpriv ? '' : ' (skipped: needs root and setpriv to run the CLI as another user)'}`, () => {
  for (const what of ['file', 'folder'] as const) {
    it(`says the ${what} is read-only for birth, import and models add, and changes nothing`, async () => {
      const data = await dataFolder(`read-only-${what}`);
      const file = join(data, 'lightseed.db');
      chownSync(data, NOBODY, NOBODY);
      chownSync(file, NOBODY, NOBODY);
      if (what === 'file') chmodSync(file, 0o444);
      else chmodSync(data, 0o555);
      const before = sha256(file);
      const expected = what === 'file' ? `${file} is read-only for this user` : `The folder ${data} is read-only for this user`;
      for (const args of [
        ['birth', '2'],
        ['import', bundle],
        ['models', 'add', model],
      ]) {
        const result = asNobody(['--data-dir', data, ...args]);
        expect(result.status, args.join(' ')).toBe(1);
        expect(result.stderr, args.join(' ')).toBe(
          `lightseed: ${expected}: LightSeed writes to its database and, beside it, to lightseed.db-wal and lightseed.db-shm. ` +
            'Make the file and its folder writable for you (chmod u+w, or chown), or copy the folder to a writable disk and pass --data-dir. Nothing was changed.\n',
        );
        expect(result.stderr, args.join(' ')).not.toMatch(/not a readable|move it aside|not an SQLite/);
      }
      // Reading works where SQLite can make its -shm file beside the database; in a read-only
      // folder it cannot, and the read gets the same sentence. The file is as it was.
      const read = asNobody(['--data-dir', data, 'genesis', 'list']);
      if (what === 'file') expect(read.status).toBe(0);
      else expect(read.stderr).toContain(expected);
      expect(sha256(file)).toBe(before);
    }, 120_000);
  }
});

describe.skipIf(!mountable)(`a read-only mount and a full disk${mountable ? '' : ' (skipped: needs root and permission to mount a tmpfs and a bind mount)'}`, () => {
  it('says the file system is read-only', async () => {
    const data = await dataFolder('mounted');
    const view = join(dir.path, 'read-only-view');
    mkdirSync(view);
    execFileSync('mount', ['--bind', data, view]);
    try {
      execFileSync('mount', ['-o', 'remount,bind,ro', view]);
      const result = runCli(['--data-dir', view, 'birth', '2']);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        `lightseed: ${join(view, 'lightseed.db')} is on a read-only file system: LightSeed writes to its database and, beside it, to lightseed.db-wal and lightseed.db-shm. ` +
          'Mount it writable, or copy the folder to a writable disk and pass --data-dir. Nothing was changed.\n',
      );
      expect(runCli(['--data-dir', view, 'genesis', 'list']).stderr).toContain('is on a read-only file system');
    } finally {
      await unmount(view);
    }
  });

  it('says the disk is full with the space left, keeps every earlier row, and works again once space is freed', async () => {
    const disk = join(dir.path, 'small-disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    try {
      const data = join(disk, 'data');
      mkdirSync(data);
      copyFileSync(join(await dataFolder('to-fill'), 'lightseed.db'), join(data, 'lightseed.db'));
      expect(runCli(['--data-dir', data, 'birth', '1', '--name', 'Ada']).status).toBe(0);
      // Fill what is left.
      const stats = statfsSync(disk);
      writeFileSync(join(disk, 'filler'), Buffer.alloc(Number(stats.bavail * stats.bsize)));
      const result = runCli(['--data-dir', data, 'birth', '2', '--name', 'Bea']);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^lightseed: The disk holding .*lightseed\.db is full \(0\.0 MB free\): free some space \(50 MB is plenty\) and try again\. What was written before is kept; the step that failed was rolled back\.\n$/);
      expect(result.stderr.split('\n')).toHaveLength(2); // said once
      rmSync(join(disk, 'filler'));
      expect(runCli(['--data-dir', data, 'birth', '2', '--name', 'Bea']).status).toBe(0);
      const names = (JSON.parse(runCli(['--data-dir', data, 'agents', '--json']).stdout) as { name: string }[]).map((a) => a.name);
      expect(names).toEqual(['Ada', 'Bea']);
      expect(runCli(['--data-dir', data, 'db', 'check']).status).toBe(0);
    } finally {
      await unmount(disk);
    }
  });
});

describe.skipIf(!mountable)(`a full disk during a deep import${mountable ? '' : ' (skipped: needs root and permission to mount a tmpfs)'}`, () => {
  it('says so, keeps nothing of the lineage and every trigger, and imports it whole once there is room', async () => {
    // 300 generations: the bundle's lineage comes in as one batch, which suspends the summary trigger inside its transaction.
    const source = join(dir.path, 'deep-source');
    {
      await using db = await Database.open({ path: join(source, 'lightseed.db') });
      const c = db.connection;
      // Traits as the seed chain gives them: an import derives them again and refuses any other.
      const genesisId = insertGenesis(c);
      let chain = Buffer.from(c.prepare('SELECT seed FROM genesis WHERE id = ?').pluck().get(genesisId) as Buffer);
      let tip = birthAgent(c, { genesisId, name: 'Deep', traits: traitsFromChain(chain), bornAt: 1 });
      for (let g = 1; g <= 300; g++) {
        const mutationSeed = randomBytes(32);
        chain = Buffer.concat([chain, mutationSeed]);
        tip = divideAgent(c, { parentId: tip.id, name: `Deep ${g}`, mutationSeed, traits: traitsFromChain(chain), reason: 'test', bornAt: 1 + g });
      }
    }
    const deep = join(dir.path, 'deep.json');
    expect(runCli(['--data-dir', source, 'export', 'Deep 300', deep]).status).toBe(0);

    const disk = join(dir.path, 'small-disk-import');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    try {
      const data = join(disk, 'data');
      mkdirSync(data);
      copyFileSync(join(await dataFolder('deep-target'), 'lightseed.db'), join(data, 'lightseed.db'));
      // Room for the start of the import (about 200 KB of rows), not for all of it.
      const stats = statfsSync(disk);
      writeFileSync(join(disk, 'filler'), Buffer.alloc(Number(stats.bavail * stats.bsize) - 64 * 1024));
      const refused = runCli(['--data-dir', data, 'import', deep]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/^lightseed: The disk holding .*lightseed\.db is full .* What was written before is kept; the step that failed was rolled back\.\n$/);
      {
        const db = new BetterSqlite3(join(data, 'lightseed.db'), { readonly: true });
        expect(db.prepare('SELECT count(*) FROM agent').pluck().get()).toBe(0);
        expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name = 'agent_counted'").pluck().get()).toBe('agent_counted');
        db.close();
      }
      execFileSync('mount', ['-o', 'remount,size=16m', disk]);
      const imported = runCli(['--data-dir', data, 'import', deep]);
      expect(imported.status, imported.stderr).toBe(0);
      expect(runCli(['--data-dir', data, 'db', 'check']).status).toBe(0);
      await using db = await Database.open({ path: join(data, 'lightseed.db') });
      expect(db.connection.prepare('SELECT count(*) FROM agent').pluck().get()).toBe(301);
      expect(recomputeDescendantCounts(db.connection)).toBe(0);
      expectStatsAsRecomputed(db.connection, null);
    } finally {
      await unmount(disk);
    }
  }, 120_000);
});

describe('a damaged page', () => {
  let data: string;
  beforeAll(async () => {
    data = await dataFolder('damaged');
    expect(runCli(['--data-dir', data, 'birth', '1', '--name', 'Ada']).status).toBe(0);
    // Overwrite the agent table's root page with junk, as a failing disk might.
    const file = join(data, 'lightseed.db');
    const raw = new BetterSqlite3(file);
    const page = raw.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'agent'").pluck().get() as number;
    const size = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(size, 0xa5), 0, size, (page - 1) * size);
    closeSync(fd);
  });

  it('names the file, says what still works and how to recover, and db check reports it', () => {
    const agents = runCli(['--data-dir', data, 'agents']);
    expect(agents.status).toBe(1);
    expect(agents.stderr).toBe(
      `lightseed: ${join(data, 'lightseed.db')} is damaged (database disk image is malformed): the parts of it that are intact still read, but this step touched a damaged page. ` +
        '`lightseed db check` lists the damage. To recover, put back a backup made with `lightseed db backup FILE`, ' +
        'or copy every row that still reads into a new file with `lightseed db salvage NEW_FOLDER` (the damaged file is not changed).\n',
    );
    // The Genesis records live on other pages and still read.
    expect(runCli(['--data-dir', data, 'genesis', 'list']).stdout.trim().split('\n')).toHaveLength(3);
    const check = runCli(['--data-dir', data, 'db', 'check']);
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/is damaged: SQLite's integrity check found \d+ problem\(s\):/);
  });

  it('salvages every row that still reads into a new file, leaving the damaged one as it was', () => {
    const before = sha256(join(data, 'lightseed.db'));
    const salvaged = join(dir.path, 'salvaged');
    const result = runCli(['--data-dir', data, 'db', 'salvage', salvaged]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ {2}agent +0 row\(s\), 1 damaged stretch\(es\) skipped$/m);
    expect(result.stdout).toMatch(/^ {2}genesis +3 row\(s\)$/m);
    expect(sha256(join(data, 'lightseed.db'))).toBe(before);
    expect(runCli(['--data-dir', salvaged, 'db', 'check']).status).toBe(0);
    expect(runCli(['--data-dir', salvaged, 'genesis', 'list']).stdout.trim().split('\n')).toHaveLength(3);
    // The Genesis record of the lost agent is free again: the seed can give birth anew.
    expect(runCli(['--data-dir', salvaged, 'birth', '1', '--name', 'Ada']).status).toBe(0);
  });

  it('skips only the damaged stretch of a table whose other pages are intact', async () => {
    const many = await dataFolder('many-rows');
    const file = join(many, 'lightseed.db');
    {
      await using db = await Database.open({ path: file });
      for (let i = 0; i < 400; i++) insertGenesis(db.connection);
    }
    const raw = new BetterSqlite3(file);
    const leaves = raw.prepare("SELECT pageno, ncell FROM dbstat WHERE name = 'genesis' AND pagetype = 'leaf' ORDER BY pageno").all() as { pageno: number; ncell: number }[];
    const size = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    expect(leaves.length).toBeGreaterThan(4);
    const fd = openSync(file, 'r+');
    const damaged = leaves[Math.floor(leaves.length / 2)]!;
    writeSync(fd, Buffer.alloc(size, 0x5a), 0, size, (damaged.pageno - 1) * size);
    closeSync(fd);
    const salvaged = join(dir.path, 'many-salvaged');
    const result = runCli(['--data-dir', many, 'db', 'salvage', salvaged]);
    expect(result.status, result.stderr).toBe(0);
    const copied = Number(/^ {2}genesis +(\d+) row\(s\), 1 damaged stretch\(es\) skipped$/m.exec(result.stdout)?.[1]);
    // The damaged leaf's rows are lost, every other row of the 403 is kept.
    expect(copied).toBe(403 - damaged.ncell);
  });
});

describe('db backup', () => {
  it('copies a database consistently, refuses to overwrite, and the copy opens as LightSeed data', async () => {
    const data = await dataFolder('backed-up');
    expect(runCli(['--data-dir', data, 'birth', '1', '--name', 'Ada']).status).toBe(0);
    const copy = join(dir.path, 'backup', 'lightseed.db');
    mkdirSync(join(dir.path, 'backup'));
    const result = runCli(['--data-dir', data, 'db', 'backup', copy]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Backed up .*lightseed\.db to .*lightseed\.db \(\d+ pages, [\d.]+ MiB\)\.\n$/);
    expect(runCli(['--data-dir', data, 'db', 'backup', copy]).stderr).toContain('already exists: name a new file for the backup.');
    expect(JSON.parse(runCli(['--data-dir', join(dir.path, 'backup'), 'agents', '--json']).stdout)).toEqual([expect.objectContaining({ name: 'Ada' })]);
  });
});
