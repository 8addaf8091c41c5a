// Division atomicity under SIGKILL: a process dividing agents through the agents
// service is killed mid-burst, round after round; every division it left is whole (a
// child with its division row, traits from its seed chain, a memory vector and the
// parent's memories with their embeddings) or absent.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traitsFromChain } from '../../electron/agents/traits.node';
import { Database } from '../../electron/store/database.node';
import { recomputeDescendantCounts, seedChainOf } from '../../electron/store/lineage.node';
import { bundleForNode } from '../helpers/bundle-for-node';
import { writeUntilKilled } from '../helpers/kill-writer';
import { makeTempDir } from '../helpers/temp-dir';

const KILL_DELAYS_MS = [0, 40, 200, 700];

let writer: string;
let dir: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  writer = await bundleForNode('test/fixtures/division-writer.ts');
  dir = makeTempDir();
}, 20_000);
afterAll(() => {
  dir?.remove();
  if (writer) rmSync(dirname(writer), { recursive: true, force: true });
});

describe('a division killed mid-write', () => {
  it('leaves either no child or a complete one', async () => {
    const file = join(dir.path, 'lightseed.db');
    let children = 0;
    let inherited = 0;
    for (const delayMs of KILL_DELAYS_MS) {
      const ended = await writeUntilKilled(writer, file, delayMs);
      expect(ended, `the writer died on its own:\n${ended.output}`).toMatchObject({ signal: 'SIGKILL', code: null });
      await using database = await Database.open({ path: file });
      const db = database.connection;
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const divided = db.prepare('SELECT id, parent_id, traits, memory_vector IS NOT NULL AS has_vector, (SELECT count(*) FROM division WHERE child_id = agent.id) AS divisions FROM agent WHERE parent_id IS NOT NULL').all() as {
        id: number;
        parent_id: number;
        traits: string;
        has_vector: number;
        divisions: number;
      }[];
      const broken: string[] = [];
      for (const child of divided) {
        if (child.divisions !== 1) broken.push(`agent ${child.id} has ${child.divisions} division rows`);
        if (!child.has_vector) broken.push(`agent ${child.id} has no memory vector`);
        if (child.traits !== JSON.stringify(traitsFromChain(seedChainOf(db, child.id)))) broken.push(`agent ${child.id}'s traits are not its seed chain's`);
        // Inherited memories are copies of the parent's, each with its embedding.
        const copies = db.prepare('SELECT query FROM memory WHERE agent_id = ? AND uses = 0 AND query IN (SELECT query FROM memory WHERE agent_id = ?)').pluck().all(child.id, child.parent_id);
        const parentHadBefore = db.prepare('SELECT count(*) FROM memory WHERE agent_id = ? AND id < (SELECT coalesce(min(id), 1e18) FROM memory WHERE agent_id = ?)').pluck().get(child.parent_id, child.id) as number;
        if (copies.length > 0) inherited++;
        if (copies.length > 0 && copies.length !== Math.min(64, parentHadBefore)) broken.push(`agent ${child.id} inherited ${copies.length} memories of ${parentHadBefore}`);
      }
      expect(broken).toEqual([]);
      expect(db.prepare('SELECT count(*) FROM memory').pluck().get()).toBe(db.prepare('SELECT count(*) FROM memory_vec').pluck().get());
      expect(recomputeDescendantCounts(db)).toBe(0);
      expect(divided.length).toBeGreaterThan(children);
      children = divided.length;
    }
    expect(inherited).toBeGreaterThan(0);
  }, 60_000);
});
