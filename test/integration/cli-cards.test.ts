// Character cards through the real `lightseed` binary and SQLite file: cards written by an
// independent writer (test/fixtures/write_cards.py) become agents that speak with the card's
// persona and greeting on the real engine; an exported card is read back by an independent
// reader (Python) and re-imports elsewhere as the same agent.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { runCli } from '../helpers/cli';
import { insertGenesis } from '../helpers/genesis';
import { makeTempDir } from '../helpers/temp-dir';
import { tinyModel } from '../helpers/tiny-model';

let dir: ReturnType<typeof makeTempDir>;
let cards: string;
let genesis: number[];
const cli = (...args: string[]) => runCli(['--data-dir', dir.path, ...args]);

/** An independent reader: Python checks every chunk's CRC and returns the card chunks' JSON. */
function readPngCardWithPython(path: string): { chara: { spec: string; data: Record<string, unknown> }; ccv3: { spec: string; data: Record<string, unknown> }; crcOk: boolean; size: [number, number] } {
  const program = `
import base64, json, struct, sys, zlib
b = open(sys.argv[1], 'rb').read()
assert b[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
at, out, ok = 8, {}, True
while at < len(b):
    n, = struct.unpack('>I', b[at:at+4]); kind = b[at+4:at+8]; data = b[at+8:at+8+n]
    ok = ok and struct.unpack('>I', b[at+8+n:at+12+n])[0] == zlib.crc32(kind + data) & 0xffffffff
    if kind == b'IHDR': out['size'] = list(struct.unpack('>II', data[:8]))
    if kind == b'tEXt':
        key, text = data.split(b'\\0', 1)
        out[key.decode()] = json.loads(base64.b64decode(text).decode('utf-8'))
    at += 12 + n
out['crcOk'] = ok
print(json.dumps(out))`;
  return JSON.parse(execFileSync('python3', ['-c', program, path], { encoding: 'utf8', timeout: 30_000 }));
}

beforeAll(async () => {
  dir = makeTempDir();
  cards = join(dir.path, 'cards');
  execFileSync('python3', ['test/fixtures/write_cards.py', cards], { stdio: 'pipe', timeout: 60_000 });
  await tinyModel(join(dir.path, 'tiny.gguf'), 8, 'llama', 2048);
  expect(runCli(['--data-dir', dir.path, 'models', 'add', join(dir.path, 'tiny.gguf')]).status).toBe(0);
  await using db = await Database.open({ path: join(dir.path, 'lightseed.db') });
  genesis = [insertGenesis(db.connection), insertGenesis(db.connection), insertGenesis(db.connection), insertGenesis(db.connection)];
}, 120_000);
afterAll(() => dir.remove());

describe('lightseed card', () => {
  it('imports a V2 PNG card as an agent born from the Genesis record named, with the card as its persona', () => {
    const imported = cli('card', 'import', join(cards, 'v2.png'), '--genesis', String(genesis[0]));
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain(`Maren (#1) was born from Genesis record ${genesis[0]} and speaks with the V2 card from v2.png.`);
    const shown = cli('card', 'show', 'Maren');
    expect(shown.stdout).toContain('Maren speaks with the card Maren from v2.png (V2).');
    // The constant world info entry sits before the description; keyed entries wait for their keys.
    expect(shown.stdout).toContain("You are Maren.\nMaren lives in the harbour town of Saltmere.\nMaren is the keeper of Saltmere's tide tables, precise and dry-humoured.");
    expect(shown.stdout).not.toContain('lighthouse');
    expect(shown.stdout).toContain("Maren's personality: patient, exact, fond of weather");
    expect(shown.stdout).toContain('Scenario: User has come to the tide office on a foggy morning.');
    expect(shown.stdout).toContain('Examples of how Maren speaks:\nUser: Will it rain?\nMaren: The glass is falling. Take a coat.');
    expect(shown.stdout).toMatch(/Answer in (a sentence or two|a few sentences)\.|Take your time and answer fully\./);
    expect(shown.stdout).toContain('\n\nAnswer in two sentences at most.');
    expect(shown.stdout).toContain('greeting 1: Morning, User. High water is at 6:42, if that is what you came for.');
    expect(shown.stdout).toContain('greeting 2 (alternate): Fog again, User. The bell buoy has been going all night.');
    expect(shown.stdout).toContain('world info: 3 entries');
    // The seed still makes the agent: its traits are the seed's, as for any birth.
    const agent = JSON.parse(cli('agent', 'Maren', '--json').stdout) as { agent: { traits: Record<string, number>; generation: number } };
    expect(Object.keys(agent.agent.traits)).toContain('voice.quirk');
  });

  it('prefers a V3 PNG’s ccv3 chunk, takes the newest unused Genesis record, and numbers a name a living agent has', () => {
    const oskar = cli('card', 'import', join(cards, 'v3.png'));
    expect(oskar.stdout).toContain(`Oskar (#2) was born from Genesis record ${genesis[3]} and speaks with the V3 card from v3.png.`);
    // A V3 card's nickname is what {{char}} stands for.
    expect(cli('card', 'show', 'Oskar').stdout).toContain('Ossie mends nets on the north quay and distrusts the new harbourmaster.');
    const second = cli('card', 'import', join(cards, 'v2.json'));
    expect(second.stdout).toContain(`Maren II (#3) was born from Genesis record ${genesis[2]}`);
    expect(second.stdout).toContain('Maren is the name of a living agent here, so this one is called Maren II.');
    expect(cli('card', 'show', 'Maren II').stdout).toContain('Maren II is the keeper of Saltmere');
  });

  it('opens a new chat with the card’s greeting, puts in the world info its keys call for, and answers on the real engine', async () => {
    const chat = runCli(['--data-dir', dir.path, 'chat', 'Maren'], {}, 120_000, 'Will the fog lift?\nIs the lighthouse lit tonight?\n/quit\n');
    expect(chat.status).toBe(0);
    expect(chat.stdout).toContain('Maren: Morning, User. High water is at 6:42, if that is what you came for.');
    // The card's world info: the constant entry every turn, the lighthouse once it is mentioned, the ferry never.
    const used = chat.stderr.split('\n').filter((line) => line.includes('world info used'));
    expect(used).toEqual(['  (world info used: constant entry (constant))', '  (world info used: constant entry (constant), lighthouse (“lighthouse”))']);
    await using db = await Database.open({ path: join(dir.path, 'lightseed.db') });
    const messages = db.connection.prepare('SELECT id, parent_id, role, content FROM message ORDER BY id').all() as { id: number; parent_id: number | null; role: string; content: string }[];
    expect(messages[0]).toMatchObject({ parent_id: null, role: 'assistant', content: 'Morning, User. High water is at 6:42, if that is what you came for.' });
    expect(messages[1]).toMatchObject({ parent_id: messages[0]!.id, role: 'user', content: 'Will the fog lift?' });
    expect(messages[2]).toMatchObject({ parent_id: messages[1]!.id, role: 'assistant' });
  }, 180_000);

  it('exports a conversation as Markdown and JSON, one branch or the whole tree', () => {
    const chat = runCli(['--data-dir', dir.path, 'chat', 'Oskar'], {}, 120_000, 'Are the nets dry?\n/regen\n/quit\n');
    expect(chat.status).toBe(0);
    const list = cli('conversations');
    expect(list.stdout).toMatch(/^#2 {2}\d{4}-\d\d-\d\d \d\d:\d\d {5}4 messages {2}Are the nets dry\?$/m);
    expect(list.stdout).toMatch(/^#1 .* 5 messages {2}Will the fog lift\?$/m);
    const branch = cli('conversations', 'export', '1').stdout;
    expect(branch).toMatch(/^# Will the fog lift\?\n\n_Exported from LightSeed on \d{4}-\d\d-\d\d \d\d:\d\d UTC: one branch, 5 of 5 messages\._\n\n\*\*Maren\*\* · [^\n]+\n\n> Morning, User\. High water is at 6:42/);
    expect(branch).toContain('**You** · ');
    expect(branch).toContain('> Is the lighthouse lit tonight?');
    // The tree keeps both answers to the regenerated question; the branch only the newest.
    const tree = cli('conversations', 'export', '2', '--tree').stdout;
    expect(tree).toMatch(/^- \*\*Oskar\*\* · .*\n\n {2}> Mind the nets, User\.\n\n {2}- \*\*You\*\* · .*\n\n {4}> Are the nets dry\?/m);
    expect(tree).toMatch(/^ {4}- \*\*Oskar\*\* \(1 of 2\) · /m);
    expect(tree).toMatch(/^ {4}- \*\*Oskar\*\* \(2 of 2, regenerated\) · /m);
    expect(cli('conversations', 'export', '2').stdout).toContain('one branch, 3 of 4 messages');
    const json = JSON.parse(cli('conversations', 'export', '2', '--tree', '--format', 'json').stdout) as { format: string; scope: string; messages: { speaker: string; parentId: number | null; kind: string }[] };
    expect(json).toMatchObject({ format: 'lightseed.conversation', scope: 'tree' });
    expect(json.messages.map((m) => [m.speaker, m.kind])).toEqual([
      ['Oskar', 'chat'],
      ['You', 'chat'],
      ['Oskar', 'chat'],
      ['Oskar', 'regeneration'],
    ]);
    const file = join(dir.path, 'chat.md');
    expect(cli('conversations', 'export', '1', file).stdout).toContain(`Wrote conversation #1 (one branch, markdown) to ${file}.`);
    expect(cli('conversations', 'export', '1', file).stderr).toContain('already exists: name a new file for the conversation.');
    expect(cli('conversations', 'export', '9').stderr).toContain('There is no conversation 9');
  }, 180_000);

  it("opens a conversation with the card's alternate greeting when asked, and says when there is no such greeting", async () => {
    const chat = runCli(['--data-dir', dir.path, 'chat', 'Maren', '--greeting', '2'], {}, 120_000, 'Is it foggy?\n/quit\n');
    expect(chat.status).toBe(0);
    expect(chat.stdout).toContain('Maren: Fog again, User. The bell buoy has been going all night.');
    await using db = await Database.open({ path: join(dir.path, 'lightseed.db') });
    const conversation = db.connection.prepare('SELECT max(conversation_id) FROM message').pluck().get() as number;
    expect(db.connection.prepare('SELECT content FROM message WHERE conversation_id = ? AND parent_id IS NULL').pluck().all(conversation)).toEqual(['Fog again, User. The bell buoy has been going all night.']);
    const none = runCli(['--data-dir', dir.path, 'chat', 'Maren', '--greeting', '5'], {}, 60_000, '/quit\n');
    expect(none.status).toBe(1);
    expect(none.stderr).toContain("Maren's card has 2 greetings; there is no greeting 5.");
  }, 180_000);

  it('exports a V3 PNG card an independent reader accepts, and it imports elsewhere as the same agent', () => {
    const file = join(dir.path, 'maren-out.png');
    const exported = cli('card', 'export', 'Maren', file);
    expect(exported.stdout).toMatch(/^Wrote Maren as a V3 PNG card to .*maren-out\.png \(\d+ KiB\)/);
    const read = readPngCardWithPython(file);
    expect(read.crcOk).toBe(true);
    expect(read.size).toEqual([24, 24]); // the card's own picture is kept
    expect(read.ccv3.spec).toBe('chara_card_v3');
    expect(read.chara.spec).toBe('chara_card_v2');
    expect(read.ccv3.data).toMatchObject({ name: 'Maren', personality: 'patient, exact, fond of weather' });
    expect((read.ccv3.data['extensions'] as Record<string, unknown>)['some_app']).toEqual({ kept: [1, 2, 3] }); // unknown keys written back
    expect(Object.keys((read.ccv3.data['extensions'] as Record<string, unknown>)['lightseed'] as object)).toEqual(['version', 'generated', 'bundle']);
    expect(cli('card', 'export', 'Maren', file).stderr).toContain('already exists: name a new file for the card.');

    const elsewhere = makeTempDir();
    try {
      const back = runCli(['--data-dir', elsewhere.path, 'card', 'import', file]);
      expect(back.stdout).toContain('Maren (#1) came back from a LightSeed card: the same seed chain, traits and lineage.');
      const here = JSON.parse(cli('agent', 'Maren', '--json').stdout) as { agent: { uid: string; traits: Record<string, number> } };
      const there = JSON.parse(runCli(['--data-dir', elsewhere.path, 'agent', 'Maren', '--json']).stdout) as { agent: { uid: string; traits: Record<string, number> } };
      expect(there.agent.uid).toBe(here.agent.uid);
      expect(there.agent.traits).toEqual(here.agent.traits);
      expect(runCli(['--data-dir', elsewhere.path, 'card', 'show', 'Maren']).stdout).toContain('Maren speaks with the card Maren from maren-out.png (V3).');
      // Once more: the agent is already there, nothing is born twice.
      expect(runCli(['--data-dir', elsewhere.path, 'card', 'import', file]).stdout).toContain('Maren (#1) was already here');
    } finally {
      elsewhere.remove();
    }
  });

  it('exports an agent without a card with a portrait from its traits, which imports as the agent without a card', () => {
    expect(cli('birth', String(genesis[1]), '--name', 'Plain').status).toBe(0);
    const file = join(dir.path, 'plain.png');
    expect(cli('card', 'export', 'Plain', file).status).toBe(0);
    const read = readPngCardWithPython(file);
    expect(read.size).toEqual([256, 256]);
    expect(read.ccv3.data['description']).toMatch(/^You are Plain, a small companion born from physical noise/);
    const elsewhere = makeTempDir();
    try {
      expect(runCli(['--data-dir', elsewhere.path, 'card', 'import', file]).stdout).toContain('Plain (#1) came back from a LightSeed card');
      expect(runCli(['--data-dir', elsewhere.path, 'card', 'show', 'Plain']).stdout).toContain('Plain has no character card: its persona comes from its intent trait');
    } finally {
      elsewhere.remove();
    }
  });

  it('adds a SillyTavern world info file to an agent without a card, which keeps its own persona', () => {
    const added = cli('card', 'lorebook', 'Plain', join(cards, 'world.json'));
    expect(added.stdout).toContain("Plain's world info now has 3 entries (3 from world.json).");
    const shown = cli('card', 'show', 'Plain').stdout;
    expect(shown).toMatch(/^Plain speaks with the card Plain from world\.json \(V3\)\.\n\nYou are Plain, a small companion born from physical noise\. You are [^\n]*\. Your goal is [^\n]*\.\n(Answer in |Take your time)/);
    expect(shown.match(/Answer in |Take your time/g)).toHaveLength(1);
    expect(shown).toContain('world info: 3 entries');
    expect(cli('card', 'lorebook', 'Plain', join(cards, 'lorebook.json')).stdout).toContain("Plain's world info now has 4 entries (1 from lorebook.json).");
    const chat = runCli(['--data-dir', dir.path, 'chat', 'Plain'], {}, 120_000, 'Have you met the new harbourmaster?\nAnd the smugglers?\n/quit\n');
    const used = chat.stderr.split('\n').filter((line) => line.includes('world info used'));
    // The second turn still has the harbourmaster within its scan depth; the smugglers' entry is disabled.
    expect(used).toEqual(['  (world info used: The new harbourmaster (“harbourmaster”))', '  (world info used: The new harbourmaster (“harbourmaster”))']);
    expect(cli('card', 'lorebook', 'Plain', join(cards, 'v2.json')).stderr).toContain('v2.json is a character card, not a lorebook: import it with card import.');
    expect(cli('card', 'lorebook', 'Plain', join(cards, 'v1.json')).stderr).toContain('v1.json is not a lorebook LightSeed reads');
  }, 180_000);

  it('refuses damaged cards in a sentence and changes nothing', () => {
    const before = cli('agents', '--json').stdout;
    const truncated = cli('card', 'import', join(cards, 'truncated.png'));
    expect(truncated.status).toBe(1);
    expect(truncated.stderr).toMatch(/truncated\.png: The PNG is cut short in its tEXt chunk/);
    expect(cli('card', 'import', join(cards, 'bad-crc.png')).stderr).toMatch(/fails its CRC check: the file is damaged/);
    expect(cli('card', 'import', join(cards, 'not-json.png')).stderr).toMatch(/is not valid JSON/);
    expect(cli('card', 'import', join(cards, 'huge.png')).stderr).toMatch(/huge\.png is 50\.0 MiB, more than 20 MiB for a character card: it was not read\./);
    const all = cli('card', 'import', join(cards, 'v1.json'));
    expect(all.status).toBe(1);
    expect(all.stderr).toMatch(/every Genesis record here has given birth already, so harvest one first/);
    expect(cli('agents', '--json').stdout).toBe(before);
    expect(existsSync(join(dir.path, 'lightseed.db'))).toBe(true);
  });
});
