// Character cards written by an independent writer (test/fixtures/write_cards.py: Python's
// zlib, zipfile and base64, not LightSeed's code) are read as SillyTavern and RisuAI read them;
// damaged ones are refused in a sentence.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCardBytes } from '../../electron/cards/card-file.node';
import { cardFromJson, expandMacros } from '../../electron/cards/character-card.std';
import { lorebookFromJson } from '../../electron/cards/lorebook.std';
import { crc32, readPngChunks, readTextChunk, textChunk, writePngChunks } from '../../electron/cards/png-chunks.std';
import { makeTempDir } from '../helpers/temp-dir';

let dir: string;
const read = (name: string) => readCardBytes(readFileSync(join(dir, name)), name);

beforeAll(() => {
  dir = makeTempDir('lightseed-cards-').path;
  execFileSync('python3', ['test/fixtures/write_cards.py', dir], { stdio: 'pipe', timeout: 60_000 });
});

describe('reading cards', () => {
  it('reads a V2 PNG card from its chara chunk, unknown extension keys kept', () => {
    const { card, format, portrait } = read('v2.png');
    expect(format).toBe('png');
    expect(portrait?.length).toBeGreaterThan(100);
    expect(card.spec).toBe('chara_card_v2');
    expect(card.data).toMatchObject({ name: 'Maren', personality: 'patient, exact, fond of weather', tags: ['harbour', 'test'], post_history_instructions: 'Answer in two sentences at most.' });
    expect(card.data.extensions).toEqual({ talkativeness: '0.5', fav: false, depth_prompt: { prompt: '', depth: 4 }, some_app: { kept: [1, 2, 3] } });
    expect(card.data.character_book?.entries).toHaveLength(3);
    expect(card.data.character_book?.entries[1]).toMatchObject({ keys: ['ferry'], secondary_keys: ['night'], selective: true, insertion_order: 20 });
  });

  it('prefers the ccv3 chunk of a PNG that has both, with V3 fields and decorators', () => {
    const { card } = read('v3.png');
    expect(card.spec).toBe('chara_card_v3');
    expect(card.data).toMatchObject({ name: 'Oskar', nickname: 'Ossie', group_only_greetings: ['Oskar nods at the group.'], creation_date: 1764547200, source: ['https://example.invalid/oskar'] });
    expect(card.data.creator_notes_multilingual).toEqual({ de: 'Für die Kartentests geschrieben.' });
    expect(card.data.character_book?.entries.at(-1)?.content).toMatch(/^@@depth 2\n/);
    expect(card.data.extensions).toEqual({ risuai: { utilityBot: false } });
  });

  it('reads JSON cards (with a BOM too), CHARX zips and upgrades V1 cards', () => {
    expect(read('v2.json').card.data.name).toBe('Maren');
    expect(read('v2-bom.json').card.data.first_mes).toMatch(/^Morning, \{\{user\}\}/);
    const charx = read('card.charx');
    expect(charx.format).toBe('charx');
    expect(charx.card).toMatchObject({ spec: 'chara_card_v3', data: { name: 'Oskar' } });
    const v1 = read('v1.json').card;
    expect(v1.spec).toBe('chara_card_v1');
    expect(v1.data).toMatchObject({ name: 'Ilse', first_mes: 'Rope or paint?', alternate_greetings: [], extensions: {} });
  });

  it('refuses damaged and foreign files with a sentence naming the file', () => {
    expect(() => read('truncated.png')).toThrow(/^truncated\.png: The PNG is cut short in its tEXt chunk \(chunk 2\): it claims \d+ bytes and \d+ are there\.$/);
    expect(() => read('bad-crc.png')).toThrow(/^bad-crc\.png: The PNG's tEXt chunk \(chunk 2\) fails its CRC check: the file is damaged\.$/);
    expect(() => read('not-json.png')).toThrow(/The card in the PNG's chara chunk of not-json\.png is not valid JSON/);
    expect(() => read('no-card.png')).toThrow(/^no-card\.png: This PNG holds no character card \(no tEXt chunk named ccv3 or chara\): it is only a picture\.$/);
    expect(() => read('huge.png')).toThrow(/^huge\.png is 50\.0 MiB; a character card is at most 20 MiB, so it was not read\.$/);
    expect(() => readCardBytes(new TextEncoder().encode('name: Maren'), 'card.yaml')).toThrow(/card\.yaml is not a character card: LightSeed reads PNG cards, JSON cards and CHARX files/);
    expect(() => cardFromJson({ spec: 'chara_card_v4', data: {} })).toThrow(/spec is "chara_card_v4"/);
    expect(() => cardFromJson({ spec: 'chara_card_v2', data: { name: '' } })).toThrow(/The V2 card is malformed \(data\.name: a card needs a name\)/);
    expect(() => cardFromJson({ spec: 'chara_card_v2', data: { name: 'X', tags: 'a,b' } })).toThrow(/data\.tags/);
    expect(() => cardFromJson([1, 2])).toThrow(/not a JSON object/);
  });
});

describe('standalone lorebooks', () => {
  const book = (name: string) => lorebookFromJson(JSON.parse(readFileSync(join(dir, name), 'utf8')), name);

  it("reads SillyTavern's world info files into the card spec's shape, its other fields kept", () => {
    const world = book('world.json');
    expect(world.name).toBe('Saltmere almanac');
    expect(world.entries.map((e) => [e.keys, e.enabled, e.position, e.insertion_order, e.name])).toEqual([
      [['harbourmaster'], true, 'before_char', 40, 'The new harbourmaster'],
      [['spring tide'], true, 'after_char', 50, 'Spring tides'],
      [['smugglers'], false, 'before_char', 60, 'Disabled'],
    ]);
    expect(world.entries[0]).toMatchObject({ selective: true, secondary_keys: ['new'], id: 0 });
    expect(world.entries[0]!.extensions).toEqual({ sillytavern: { probability: 100, useProbability: true, depth: 4, group: 'people' } });
  });

  it("reads lorebooks in the spec's shape and refuses what is not one", () => {
    expect(book('lorebook.json').entries[0]).toMatchObject({ keys: ['fog'], insertion_order: 5, enabled: true });
    expect(() => book('v2.json')).toThrow(/is a character card, not a lorebook/);
    expect(() => book('v1.json')).toThrow(/is not a lorebook LightSeed reads/);
    expect(() => lorebookFromJson([], 'list.json')).toThrow(/not a JSON object/);
  });
});

describe('PNG chunks', () => {
  it('computes the CRC-32 of PNG and zip (the check value of "123456789")', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('writes chunks that Python wrote the same way, and reads its own back', () => {
    const original = readFileSync(join(dir, 'v2.png'));
    const chunks = readPngChunks(original);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'tEXt', 'IDAT', 'IEND']);
    expect(Buffer.from(writePngChunks(chunks))).toEqual(original);
    const withText = writePngChunks([...chunks.slice(0, -1), textChunk('ccv3', 'eyJ9'), chunks.at(-1)!]);
    expect(readTextChunk(readPngChunks(withText).at(-2)!)).toEqual({ keyword: 'ccv3', text: 'eyJ9' });
  });
});

describe('macros', () => {
  it('replaces {{char}}, {{user}}, <BOT> and <USER>, in any case', () => {
    expect(expandMacros('{{Char}} greets {{user}}; <BOT> to <USER>.', { char: 'Maren', user: 'Sam' })).toBe('Maren greets Sam; Maren to Sam.');
  });
});
