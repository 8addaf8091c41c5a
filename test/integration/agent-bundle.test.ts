// Agent bundles and the lineage commands, through the real CLI and two data folders.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle, BundleError, type AgentBundle } from '../../electron/store/agent-bundle.node';
import { canonicalJson } from '../../electron/store/canonical-json.std';
import { Database } from '../../electron/store/database.node';
import { addMemory, MEMORY_DIMENSIONS, nearestMemories } from '../../electron/store/memories.node';
import { birthAgent, divideAgent, findAgent, getAgent } from '../../electron/store/lineage.node';
import { runCli } from '../helpers/cli';
import { insertGenesis } from '../helpers/genesis';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let here: string;
let there: string;
let bundleFile: string;
const embedding = (hot: number) => {
  const v = new Float32Array(MEMORY_DIMENSIONS);
  v[hot] = 1;
  return v;
};

beforeAll(async () => {
  dir = makeTempDir();
  here = join(dir.path, 'here');
  there = join(dir.path, 'there');
  bundleFile = join(dir.path, 'ada-iii.json');
  const db = await Database.open({ path: join(here, 'lightseed.db') });
  const c = db.connection;
  const ada = birthAgent(c, { genesisId: insertGenesis(c), name: 'Ada', traits: { t: 0.5 }, bornAt: 1 });
  const ada2 = divideAgent(c, { parentId: ada.id, name: 'Ada II', mutationSeed: randomBytes(32), traits: { t: 0.6 }, reason: 'test', bornAt: 2 });
  const ada3 = divideAgent(c, { parentId: ada2.id, name: 'Ada III', mutationSeed: randomBytes(32), traits: { t: 0.7 }, reason: 'test', bornAt: 3 });
  divideAgent(c, { parentId: ada.id, name: 'Bea', mutationSeed: randomBytes(32), traits: { t: 0.4 }, reason: 'test', bornAt: 4 });
  addMemory(c, { agentId: ada3.id, query: 'noise?', response: 'static', embedding: embedding(7), fitness: 1, createdAt: 5 });
  addMemory(c, { agentId: ada3.id, query: 'seed?', response: 'genesis', embedding: embedding(9), fitness: 0, createdAt: 6 });
  db.dispose();
});
afterAll(() => dir.remove());

describe('lineage commands', () => {
  it('lists agents and prints the family tree as Newick and ALife CSV', () => {
    const list = JSON.parse(runCli(['--data-dir', here, 'agents', '--json']).stdout) as { name: string; generation: number; descendants: number }[];
    expect(list.map((a) => [a.name, a.generation, a.descendants])).toEqual([
      ['Ada', 0, 3],
      ['Ada II', 1, 1],
      ['Ada III', 2, 0],
      ['Bea', 1, 0],
    ]);
    const tree = runCli(['--data-dir', here, 'tree', 'Ada III']);
    expect(tree.stdout).toBe("(('Ada III_3':1)'Ada II_2':1,Bea_4:1)Ada_1;\n");
    const csv = runCli(['--data-dir', here, 'tree', 'Bea', '--format', 'csv']).stdout.trim().split('\n');
    expect(csv[0]).toMatch(/^id,ancestor_list,origin_time,/);
    expect(csv).toHaveLength(5);
    expect(runCli(['--data-dir', here, 'tree', 'Nobody']).stderr).toContain('There is no agent "Nobody"');
  });
});

describe('agent bundles', () => {
  it('exports an agent with its lineage and memories, and imports it on another machine', async () => {
    expect(runCli(['--data-dir', here, 'export', 'Ada III', bundleFile]).stdout).toMatch(/Exported Ada III \(generation 2, 2 ancestors, 2 memories\)/);
    const imported = runCli(['--data-dir', there, 'import', bundleFile]);
    expect(imported.stdout).toMatch(/Imported Ada III as agent #3: 3 lineage member\(s\) new here, 2 memories/);
    expect(runCli(['--data-dir', there, 'import', bundleFile]).stdout).toMatch(/already here/);
    const db = await Database.open({ path: join(there, 'lightseed.db') });
    const ada3 = findAgent(db.connection, 'Ada III')!;
    expect(ada3).toMatchObject({ generation: 2, origin: 'imported', traits: { t: 0.7 } });
    expect(getAgent(db.connection, ada3.rootId)).toMatchObject({ name: 'Ada', subtreeSize: 3 });
    expect(nearestMemories(db.connection, ada3.id, embedding(9), 1)[0]).toMatchObject({ query: 'seed?', response: 'genesis' });
    db.dispose();
  });

  it('refuses a tampered bundle and keeps the database as it was', () => {
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as AgentBundle;
    bundle.agent.traits.t = 0.99;
    const tampered = join(dir.path, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(bundle));
    const result = runCli(['--data-dir', join(dir.path, 'clean'), 'import', tampered]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('changed after it was exported: its checksum does not match');
    expect(JSON.parse(runCli(['--data-dir', join(dir.path, 'clean'), 'agents', '--json']).stdout)).toEqual([]);
  });

  it('refuses a forged chain even when the checksum was recomputed, and malformed files', () => {
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as AgentBundle;
    const forged = { ...bundle, agent: { ...bundle.agent, seedChain: randomBytes(96).toString('hex') } };
    const { checksum: _old, ...body } = forged;
    const resealed = { ...body, checksum: createHash('sha256').update(canonicalJson(body)).digest('hex') };
    expect(() => verifyBundle(JSON.stringify(resealed))).toThrow(/uid does not match its seed chain/);
    expect(() => verifyBundle('{"format":"lightseed.agent-bundle","version":1}')).toThrow(/malformed/);
    expect(() => verifyBundle('not json')).toThrow(BundleError);
    expect(() => verifyBundle('{"format":"lightseed.agent-bundle","version":7}')).toThrow(/version 7/);
    expect(() => verifyBundle('{"hello":1}')).toThrow(/not a LightSeed agent bundle/);
  });
});
