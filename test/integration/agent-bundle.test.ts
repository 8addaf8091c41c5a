// Agent bundles and the lineage commands, through the real CLI and two data folders.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle, BundleError, type AgentBundle } from '../../electron/store/agent-bundle.node';
import { canonicalJson } from '../../electron/store/canonical-json.std';
import { Database } from '../../electron/store/database.node';
import { addMemory, MEMORY_DIMENSIONS, nearestMemories } from '../../electron/store/memories.node';
import { birthAgent, divideAgent, findAgent, getAgent, seedChainOf } from '../../electron/store/lineage.node';
import { traitsFromChain } from '../../electron/agents/traits.node';
import { signBundle } from '../../electron/agents/bundle-signature.node';
import { identityFromSeed, loadOrCreateIdentity } from '../../electron/identity/identity.node';
import { runCli } from '../helpers/cli';
import { insertGenesis } from '../helpers/genesis';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let here: string;
let there: string;
let bundleFile: string;
/** Someone else's installation, signing what they changed. */
const FORGER = identityFromSeed(randomBytes(32));
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
  // Traits as the app derives them from each seed chain: an import derives them again.
  const genesisId = insertGenesis(c);
  const seed = new Uint8Array(c.prepare('SELECT seed FROM genesis WHERE id = ?').pluck().get(genesisId) as Buffer);
  const ada = birthAgent(c, { genesisId, name: 'Ada', traits: traitsFromChain(seed), bornAt: 1 });
  const child = (parentId: number, name: string, bornAt: number) => {
    const mutationSeed = randomBytes(32);
    const chain = Buffer.concat([seedChainOf(c, parentId), mutationSeed]);
    return divideAgent(c, { parentId, name, mutationSeed, traits: traitsFromChain(chain), reason: 'test', bornAt });
  };
  const ada2 = child(ada.id, 'Ada II', 2);
  const ada3 = child(ada2.id, 'Ada III', 3);
  child(ada.id, 'Bea', 4);
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
    const exported = runCli(['--data-dir', here, 'export', 'Ada III', bundleFile]).stdout;
    expect(exported).toMatch(/Exported Ada III \(generation 2, 2 ancestors, 2 memories\) to .*, signed by this installation \([0-9a-f]{4}·[0-9a-f]{4}\)\./);
    const hereKey = loadOrCreateIdentity(here).publicKey;
    expect(JSON.parse(readFileSync(bundleFile, 'utf8'))).toMatchObject({ version: 2, signer: hereKey });
    const imported = runCli(['--data-dir', there, 'import', bundleFile]);
    expect(imported.stdout).toMatch(/Imported Ada III as agent #3: 3 lineage member\(s\) new here, 2 memories/);
    expect(imported.stdout).toContain(`  Signed by the installation ${hereKey.slice(0, 4)}·${hereKey.slice(4, 8)} (${hereKey}).`);
    expect(runCli(['--data-dir', there, 'agent', 'Ada III']).stdout).toContain(`  signed by the installation ${hereKey.slice(0, 4)}·${hereKey.slice(4, 8)} (${hereKey})`);
    // Importing and looking sign nothing, so they give the other installation no identity file.
    expect(existsSync(join(there, 'identity.key'))).toBe(false);
    expect(imported.stdout).toContain('2 ancestor(s) came only with the bundle (imported: parent not on this machine)');
    expect(runCli(['--data-dir', there, 'agent', 'Ada III']).stdout).toMatch(/lineage: Ada II \(#2, imported\) ← Ada \(#1, imported\)/);
    expect(runCli(['--data-dir', there, 'import', bundleFile]).stdout).toMatch(/already here/);
    const db = await Database.open({ path: join(there, 'lightseed.db') });
    const ada3 = findAgent(db.connection, 'Ada III')!;
    expect(ada3).toMatchObject({ generation: 2, origin: 'imported', signer: hereKey });
    expect(ada3.traits).toEqual(JSON.parse(readFileSync(bundleFile, 'utf8')).agent.traits);
    expect(getAgent(db.connection, ada3.rootId)).toMatchObject({ name: 'Ada', descendants: 2 });
    expect(nearestMemories(db.connection, ada3.id, embedding(9), 1)[0]).toMatchObject({ query: 'seed?', response: 'genesis' });
    db.dispose();
  });

  it('refuses a tampered bundle and keeps the database as it was', () => {
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as AgentBundle;
    bundle.agent.traits['temperament.arousal'] = 0.99;
    const tampered = join(dir.path, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(bundle));
    const result = runCli(['--data-dir', join(dir.path, 'clean'), 'import', tampered]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('changed after it was exported: its checksum does not match');
    expect(JSON.parse(runCli(['--data-dir', join(dir.path, 'clean'), 'agents', '--json']).stdout)).toEqual([]);
  });

  it('refuses a bundle changed after it was signed, one whose signature was removed, and reads old unsigned ones', () => {
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as AgentBundle;
    const { checksum: _old, signer, signature, ...body } = bundle;
    const renamed = { ...body, agent: { ...body.agent, name: 'Mallory' } };
    const reChecksummed = { ...renamed, checksum: createHash('sha256').update(canonicalJson(renamed)).digest('hex') };
    const write = (name: string, value: unknown) => {
      const file = join(dir.path, `${name}.json`);
      writeFileSync(file, JSON.stringify(value));
      return runCli(['--data-dir', join(dir.path, name), 'import', file]);
    };
    const altered = write('altered', { ...reChecksummed, signer, signature });
    expect(altered.status).toBe(1);
    expect(altered.stderr).toMatch(/The bundle's signature by [0-9a-f]{4}·[0-9a-f]{4} does not match its contents: it was changed after it was signed, or the signature is forged\./);
    const otherSigner = write('other-signer', { ...bundle, signer: FORGER.publicKey });
    expect(otherSigner.stderr).toMatch(/signature by [0-9a-f]{4}·[0-9a-f]{4} does not match its contents/);
    const stripped = write('stripped', { ...body, checksum: bundle.checksum });
    expect(stripped.stderr).toContain('The bundle is not signed, though LightSeed signs every bundle it exports');
    expect(write('bad-signature', { ...bundle, signature: 'AAAA' }).stderr).toMatch(/signature by [0-9a-f]{4}·[0-9a-f]{4} is malformed/);
    // A version-1 bundle (before signatures) still imports, said to be unsigned.
    const v1Body = { ...body, version: 1 };
    const v1 = write('version-1', { ...v1Body, checksum: createHash('sha256').update(canonicalJson(v1Body)).digest('hex') });
    expect(v1.stdout).toContain('The bundle is unsigned (an older LightSeed exported it): who made it cannot be told.');
    expect(runCli(['--data-dir', join(dir.path, 'version-1'), 'agent', 'Ada III']).stdout).toContain('unsigned: an older LightSeed exported it');
    // A forger's own signature holds, and names the forger, not the exporter.
    const forged = runCli(['--data-dir', join(dir.path, 'forged-signer'), 'import', resealed('forged-signer', () => {})]);
    expect(forged.stdout).toContain(`Signed by the installation ${FORGER.publicKey.slice(0, 4)}·${FORGER.publicKey.slice(4, 8)}`);
  });

  it('refuses a forged chain even when the checksum was recomputed, and malformed files', () => {
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as AgentBundle;
    const forged = { ...bundle, agent: { ...bundle.agent, seedChain: randomBytes(96).toString('hex') } };
    const { checksum: _old, signer: _signer, signature: _signature, ...body } = forged;
    const resealed = { ...body, checksum: createHash('sha256').update(canonicalJson(body)).digest('hex') };
    expect(() => verifyBundle(JSON.stringify(resealed))).toThrow(/uid does not match its seed chain/);
    expect(() => verifyBundle('{"format":"lightseed.agent-bundle","version":1}')).toThrow(/malformed/);
    expect(() => verifyBundle('not json')).toThrow(BundleError);
    expect(() => verifyBundle('{"format":"lightseed.agent-bundle","version":7}')).toThrow(/version 7/);
    expect(() => verifyBundle('{"hello":1}')).toThrow(/not a LightSeed agent bundle/);
  });

  /** The bundle with `change` applied and its checksum recomputed, as a forger would, written to a file. */
  function resealed(name: string, change: (bundle: AgentBundle) => void, prefix = ''): string {
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as AgentBundle;
    change(bundle);
    const { checksum: _old, signer: _signer, signature: _signature, ...body } = bundle;
    const file = join(dir.path, `${name}.json`);
    // A forger can sign with a key of their own: the signature then names them, and every claim is still checked.
    writeFileSync(file, prefix + JSON.stringify(signBundle({ ...body, checksum: createHash('sha256').update(canonicalJson(body)).digest('hex') }, FORGER)));
    return file;
  }

  function importInto(name: string, file: string) {
    const data = join(dir.path, name);
    const result = runCli(['--data-dir', data, 'import', file]);
    const agents = JSON.parse(runCli(['--data-dir', data, 'agents', '--json']).stdout) as { name: string }[];
    return { ...result, agents };
  }

  it('derives every trait from the seed chain again: a changed trait with a recomputed checksum is refused, naming it', () => {
    const edited = importInto('edited', resealed('edited-trait', (b) => (b.agent.traits['temperament.arousal'] = 0.99)));
    expect(edited.status).toBe(1);
    expect(edited.stderr).toMatch(/^lightseed: The bundle's agent "Ada III" has trait temperament\.arousal = 0\.99 where its seed chain gives 0\.\d+: traits come from the seeds/);
    expect(edited.agents).toEqual([]);
    const rank = importInto('rank', resealed('huge-rank', (b) => (b.lineage[0]!.traits['voice.rank'] = 1e9)));
    expect(rank.stderr).toMatch(/ancestor of generation 0 "Ada" has trait voice\.rank = 1000000000 where its seed chain gives [2-8]:/);
    expect(rank.agents).toEqual([]);
  });

  it('refuses values LightSeed never produces, with a sentence instead of SQLite text', () => {
    const cases: [string, (b: AgentBundle) => void, RegExp][] = [
      ['interactions', (b) => (b.agent.interactions = b.agent.totalInteractions + 5), /has \d+ interactions since its last division but \d+ in all/],
      ['fitness', (b) => (b.agent.fitness = 1e300), /has fitness 1e\+300 \(outside ±10000\)/],
      ['archived', (b) => (b.agent.state = 'archived'), /has state archived with no archive time/],
      ['born', (b) => (b.agent.bornAt = Date.now() + 10 * 86_400_000), /a birth time \d+ outside the time before the export/],
      ['name', (b) => (b.agent.name = 'Ada\u0007'), /has a name that LightSeed does not give/],
    ];
    for (const [name, change, message] of cases) {
      const result = importInto(`bad-${name}`, resealed(`bad-${name}`, change));
      expect(result.status, name).toBe(1);
      expect(result.stderr, name).toMatch(message);
      expect(result.stderr, name).not.toMatch(/SQLITE|constraint/i);
      expect(result.agents, name).toEqual([]);
    }
  });

  it("keeps an agent's best 256 memories of a bundle with more, and says how many were left out", () => {
    const file = resealed('many-memories', (b) => {
      const template = b.memories[0]!;
      b.memories = Array.from({ length: 300 }, (_, i) => ({ ...template, query: `q${i}`, fitness: i / 300 }));
    });
    const result = importInto('many', file);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('256 memories.');
    expect(result.stdout).toContain('44 memories were left out');
  });

  it('accepts a UTF-8 byte-order mark, and renames an imported living agent whose name is taken', () => {
    const binary = join(dir.path, 'not-text.json');
    writeFileSync(binary, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(runCli(['--data-dir', join(dir.path, 'binary'), 'import', binary]).stderr).toBe(`lightseed: ${binary} is not UTF-8 text, so it is not an agent bundle.\n`);
    const file = resealed('bom', () => {}, '\ufeff');
    const data = join(dir.path, 'named');
    const first = runCli(['--data-dir', data, 'import', file]);
    expect(first.status).toBe(0);
    const other = resealed('other-ada-iii', (b) => {
      // Another lineage's agent called Ada III: a different chain, with its traits.
      const chain = randomBytes(96);
      const chainOf = (generation: number) => chain.subarray(0, 32 * (generation + 1));
      for (const node of [...b.lineage, b.agent]) {
        node.seedChain = chainOf(node.generation).toString('hex');
        node.uid = createHash('sha256').update(chainOf(node.generation)).digest('hex');
        node.traits = traitsFromChain(chainOf(node.generation));
      }
    });
    const second = runCli(['--data-dir', data, 'import', other]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Ada III is the name of a living agent here, so the imported one is called Ada [IVX]+\./);
    const names = (JSON.parse(runCli(['--data-dir', data, 'agents', '--json']).stdout) as { name: string }[]).map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
