// Character cards in Chromium against `lightseed serve` with a real database and the tiny test
// model: import a V2 PNG card written by an independent writer, see the card and its world info
// on the agent's page, open a chat that starts with the card's greeting and shows the world info
// an answer used, edit an entry, save the agent as a card; a card with a picture too large for one
// API message is sent with its picture redrawn smaller.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { runCli } from '../helpers/cli';
import { SCREENSHOTS } from '../helpers/chromium';
import { insertGenesis } from '../helpers/genesis';
import { servedApp } from '../helpers/served-app';
import { tinyModel } from '../helpers/tiny-model';

let cards = '';
const app = servedApp(async (dir) => {
  cards = join(dir, 'cards');
  execFileSync('python3', ['test/fixtures/write_cards.py', cards], { stdio: 'pipe', timeout: 60_000 });
  await tinyModel(join(dir, 'tiny.gguf'), 12, 'llama', 2048);
  expect(runCli(['--data-dir', dir, 'models', 'add', join(dir, 'tiny.gguf')]).status).toBe(0);
  await using db = await Database.open({ path: join(dir, 'lightseed.db') });
  insertGenesis(db.connection);
  insertGenesis(db.connection);
  // An agent from another installation, as a LightSeed card signed there.
  const elsewhere = join(dir, 'elsewhere');
  {
    await using other = await Database.open({ path: join(elsewhere, 'lightseed.db') });
    insertGenesis(other.connection);
  }
  expect(runCli(['--data-dir', elsewhere, 'birth', '1', '--name', 'Wanderer']).status).toBe(0);
  expect(runCli(['--data-dir', elsewhere, 'card', 'export', 'Wanderer', join(dir, 'wanderer.png')]).status).toBe(0);
  elsewhereKey = (JSON.parse(runCli(['--data-dir', elsewhere, 'identity', '--json']).stdout) as { publicKey: string }).publicKey;
}, 120_000);
let elsewhereKey = '';

/** A PNG card of `side`² noisy pixels (too large to send as it is) around the V2 test card's chunk. */
function bigPictureCard(side: number): Buffer {
  const small = readFileSync(join(cards, 'v2.png'));
  // The test card's chunks: IHDR, tEXt (the card), IDAT, IEND. Keep the tEXt, replace the picture.
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < small.length; ) {
    const length = small.readUInt32BE(at);
    chunks.push({ type: small.toString('latin1', at + 4, at + 8), data: small.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length);
    head.write(type, 4, 'latin1');
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])));
    return Buffer.concat([head, data, tail]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 2, 0, 0, 0], 8); // RGB
  const raw = randomBytes(side * (1 + side * 3));
  for (let row = 0; row < side; row++) raw[row * (1 + side * 3)] = 0; // filter type 0 on every row
  const text = chunks.find((c) => c.type === 'tEXt')!;
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('tEXt', text.data), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('character cards in Chromium', () => {
  it('imports a V2 PNG card as an agent and shows its card and world info', async () => {
    await app.page.goto(app.serve.url.replace(/#.*$/, '#/agents'));
    await app.page.getByRole('link', { name: 'Agents' }).click();
    await app.page.getByLabel('Import a character card').setInputFiles(join(cards, 'v2.png'));
    await expect.poll(() => app.page.locator('p.notice[role=status]').textContent()).toMatch(/^Maren was born from Genesis record #\d+ and speaks with v2\.png\./);
    const card = app.page.getByRole('region', { name: 'Character card' });
    await expect.poll(() => card.getByRole('heading', { name: /^Character card/ }).textContent()).toBe('Character card: Maren');
    expect(await card.textContent()).toContain("Maren is the keeper of Saltmere's tide tables");
    expect(await card.textContent()).toContain('Greeting: Morning, User. High water is at 6:42');
    expect(await card.getByLabel('Keys of entry 1', { exact: true }).inputValue()).toBe('lighthouse');
    expect(await card.getByLabel('Text of entry 2').inputValue()).toBe('The night ferry never stops at Gull Rock.');
    await app.page.screenshot({ path: join(SCREENSHOTS, 'agents-character-card.png') });
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: join(SCREENSHOTS, 'agents-character-card-world-info.png') });
    expect(app.problems).toEqual([]);
  });

  it('calls the person by the name they give in the top bar ({{user}}), refusing one that is not a name', async () => {
    const name = app.page.getByLabel('You are');
    expect(await name.inputValue()).toBe('User');
    await name.fill('{{char}}');
    await name.press('Enter');
    await expect.poll(() => app.page.locator('.user-name [role=alert]').textContent()).toBe('A name is one line, without braces, angle brackets or spaces at either end.');
    await app.page.screenshot({ path: join(SCREENSHOTS, 'top-bar-user-name-refused.png'), clip: { x: 0, y: 0, width: 1280, height: 140 } });
    await name.fill(' Sam ');
    await name.press('Enter');
    await expect.poll(() => app.page.locator('.user-name [role=alert]').count()).toBe(0);
    expect(await name.inputValue()).toBe('Sam');
    // The card on screen says its greeting with the new name.
    await expect.poll(() => app.page.getByRole('region', { name: 'Character card' }).textContent()).toContain('Greeting: Morning, Sam. High water is at 6:42');
    await app.page.screenshot({ path: join(SCREENSHOTS, 'top-bar-user-name.png') });
    // Kept in the database: a reload shows it.
    await app.page.reload();
    await expect.poll(() => app.page.getByLabel('You are').inputValue()).toBe('Sam');
    expect(app.problems).toEqual([]);
  });

  it('opens a chat with the greeting and says which world info an answer used', async () => {
    await app.page.getByRole('link', { name: 'Agents' }).click();
    await app.page.getByRole('button', { name: 'Maren', exact: true }).click();
    await app.page.getByRole('region', { name: "Maren's card" }).getByRole('button', { name: 'Chat with Maren' }).click();
    await expect.poll(() => app.page.locator('.messages li.greeting .text').textContent()).toBe('Morning, Sam. High water is at 6:42, if that is what you came for.');
    // The card's alternate greeting is a swipe away, before the first message.
    await app.page.getByRole('button', { name: 'Next greeting' }).click();
    expect(await app.page.locator('.messages li.greeting .text').textContent()).toBe('Fog again, Sam. The bell buoy has been going all night.');
    expect(await app.page.locator('.messages li.greeting .meta').textContent()).toContain('greeting 2/2');
    await app.page.getByRole('button', { name: 'Previous greeting' }).click();
    await app.page.getByLabel('Message').fill('Is the lighthouse lit tonight?');
    await app.page.getByRole('button', { name: 'Send' }).click();
    const used = app.page.locator('.messages li.assistant .world-info');
    await expect.poll(() => used.first().textContent(), { timeout: 30_000 }).toBe('world info used: constant entry (constant), lighthouse (“lighthouse”)');
    // The greeting is kept with the conversation, once.
    expect(await app.page.locator('.messages li.assistant .text').first().textContent()).toBe('Morning, Sam. High water is at 6:42, if that is what you came for.');
    expect(await app.page.locator('.messages li.greeting').count()).toBe(0);
    // The greeting is the card's words, not an answer: nothing to rate or regenerate.
    expect(await app.page.locator('.messages li.assistant').first().getByRole('button', { name: 'Thumbs up' }).count()).toBe(0);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'chat-character-card.png') });
    const download = app.page.waitForEvent('download');
    await app.page.getByRole('button', { name: 'Save as Markdown' }).click();
    const saved = readFileSync((await (await download).path())!, 'utf8');
    expect(saved).toMatch(/^# Is the lighthouse lit tonight\?\n/);
    expect(saved).toContain('> Morning, Sam. High water is at 6:42, if that is what you came for.');
    expect(app.problems).toEqual([]);
  });

  it('edits a world info entry and saves the agent as a card', async () => {
    await app.page.getByRole('link', { name: 'Agents' }).click();
    await app.page.getByRole('button', { name: 'Maren', exact: true }).click();
    const card = app.page.getByRole('region', { name: 'Character card' });
    await card.getByLabel('Keys of entry 1', { exact: true }).fill('lighthouse, beacon');
    await card.getByRole('button', { name: 'Save world info' }).click();
    await expect.poll(() => card.getByRole('button', { name: 'Saved' }).count()).toBe(1);
    const shown = JSON.parse(runCli(['--data-dir', app.dir, 'card', 'show', 'Maren', '--json']).stdout) as { data: { character_book: { entries: { keys: string[] }[] } } };
    expect(shown.data.character_book.entries[0]!.keys).toEqual(['lighthouse', 'beacon']);
    await app.page.getByLabel('Add a lorebook').setInputFiles(join(cards, 'world.json'));
    await expect.poll(() => app.page.locator('p.notice[role=status]').textContent()).toBe("3 entries from world.json joined Maren's world info.");
    await expect.poll(() => card.getByLabel('Keys of entry 4', { exact: true }).inputValue()).toBe('harbourmaster');
    expect(await card.getByRole('region', { name: 'World info' }).locator('header .muted').textContent()).toMatch(/^6 entries/);
    const download = app.page.waitForEvent('download');
    await app.page.getByRole('button', { name: 'Save as a character card' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('Maren.png');
    const saved = readFileSync((await file.path())!);
    expect(saved.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(saved.includes(Buffer.from('ccv3\0', 'latin1'))).toBe(true);
    expect(app.problems).toEqual([]);
  });

  it('sends a card with a large picture with the picture redrawn smaller', async () => {
    const big = join(app.dir, 'big-maren.png');
    const bytes = bigPictureCard(800); // about 1.9 MB of noise: more than one API message
    expect(bytes.length).toBeGreaterThan(1.5 * 2 ** 20);
    writeFileSync(big, bytes);
    await app.page.getByLabel('Import a character card').setInputFiles(big);
    const said = () => app.page.locator('p.notice[role=status], .list p.error[role=alert]').first().textContent();
    await expect.poll(said, { timeout: 20_000 }).toMatch(/^Maren II was born from Genesis record #\d+ and speaks with big-maren\.png\./);
    const shown = JSON.parse(runCli(['--data-dir', app.dir, 'card', 'show', 'Maren II', '--json']).stdout) as { source: string; data: { name: string } };
    expect(shown).toMatchObject({ source: 'big-maren.png', data: { name: 'Maren' } });
    expect(app.problems).toEqual([]);
  });

  it('brings back an agent from another installation’s LightSeed card and names who signed it', async () => {
    await app.page.getByRole('link', { name: 'Agents' }).click();
    await app.page.getByLabel('Import a character card').setInputFiles(join(app.dir, 'wanderer.png'));
    await expect.poll(() => app.page.locator('p.notice[role=status]').textContent()).toBe('Wanderer came back from a LightSeed card: the same seed chain, traits and lineage.');
    const card = app.page.getByRole('region', { name: "Wanderer's card" });
    await expect.poll(() => card.locator('.signer').textContent()).toBe(`Imported: signed by the installation ${elsewhereKey.slice(0, 4)}·${elsewhereKey.slice(4, 8)}`);
    expect(app.problems).toEqual([]);
  });
});
