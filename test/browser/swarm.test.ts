// The Swarm view in Chromium against `lightseed serve` (Ana), with a friend's installation (Ben:
// the app's services in this process, its own data folder) on the same HyperDHT testnet bound to
// 127.0.0.1: make a circle, hand the invite code to Ben, see him online with his traffic, host a
// child Ben's agent divides into, ask the circle (answers here and on Ben's machine side by side),
// pick Ben's agent's answer (its fitness rises at Ben's), remove Ben and leave.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { addModel } from '../../electron/services/model-registry.node';
import { Database } from '../../electron/store/database.node';
import { runCli } from '../helpers/cli';
import { SCREENSHOTS } from '../helpers/chromium';
import { insertGenesis } from '../helpers/genesis';
import { servedApp } from '../helpers/served-app';
import { swarmInstallation, swarmTestnet } from '../helpers/swarm-installation';
import { tinyModel } from '../helpers/tiny-model';
import { until } from '../helpers/wait-for';
import { apiClient } from '../helpers/ws-client';

const net = swarmTestnet();
const { cleanups } = net;

const app = servedApp(async (dir) => {
  await tinyModel(join(dir, 'tiny.gguf'), 12, 'llama', 2048);
  expect(runCli(['--data-dir', dir, 'models', 'add', join(dir, 'tiny.gguf')]).status).toBe(0);
  await using db = await Database.open({ path: join(dir, 'lightseed.db') });
  insertGenesis(db.connection);
  return { env: { LIGHTSEED_SWARM_BOOTSTRAP: net.bootstrap.join(',') } };
});

describe('the Swarm view', () => {
  let ben: Awaited<ReturnType<typeof swarmInstallation>>;

  it('is off until a circle is made, and says so', async () => {
    await app.page.getByRole('link', { name: 'Swarm' }).click();
    await expect.poll(() => app.page.getByRole('region', { name: 'Not in a circle' }).textContent()).toMatch(/nothing leaves this machine before/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'swarm-off.png') });
  });

  it('makes a circle; a friend joins with its code and shows up online, and a child of his lives here', async () => {
    await app.page.getByRole('button', { name: 'Make a circle' }).click();
    const code = app.page.getByLabel('Invite code');
    await expect.poll(() => code.inputValue()).toMatch(/^lightseed-circle:[A-Za-z0-9_-]{87}$/);

    ben = await swarmInstallation(net.testnet, 'Ben', cleanups, { paths: buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href) });
    await addModel(ben.db, join(app.dir, 'tiny.gguf'), Date.now());
    ben.services.swarm.join(await code.inputValue());
    await ben.services.swarm.start();
    const peers = app.page.getByRole('region', { name: 'Peers' });
    await expect.poll(() => peers.locator('tbody tr').first().textContent(), { timeout: 30_000 }).toMatch(/Ben.*online/);

    // Ben's agent divides; the child goes to the installation with room: Ana's.
    const bohr = ben.services.agents.life.birth(insertGenesis(ben.db), 'Bohr');
    await ben.services.agents.life.divide(bohr.id, 'test');
    const where = app.page.getByRole('region', { name: 'Where agents live' });
    await expect.poll(() => where.textContent(), { timeout: 30_000 }).toMatch(/Bohr II lives here for Ben/);
    await until(() => ben.services.swarm.status().abroad.some((a) => a.state === 'born'), "Ben's record of the birth");
    await expect.poll(() => peers.locator('tbody tr').first().textContent()).toMatch(/\d+ msgs, [\d.]+ (B|KiB) \/ \d+ msgs/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'swarm-circle.png') });
  }, 90_000);

  it('asks the circle: answers from here and from Ben side by side; the pick reaches Ben’s agent', async () => {
    const client = await apiClient(app.serve.port, app.serve.token);
    expect(await client.call('agents.birth', { genesisId: 1, name: 'Ada' })).toMatchObject({ ok: true });
    client.ws.close();
    const bohr = ben.services.agents.life.agent(1);
    const before = ben.services.agents.life.fitnessOf(bohr);
    const ask = app.page.getByRole('region', { name: 'Ask the circle' });
    await ask.getByLabel('Question').fill('What should a lighthouse keeper know?');
    await ask.getByLabel('Agents').fill('3');
    await ask.getByRole('button', { name: 'Ask' }).click();
    const answers = ask.locator('.answers li');
    await expect.poll(() => answers.count()).toBe(3);
    await expect.poll(() => ask.locator('.answers li.answered').count(), { timeout: 60_000 }).toBe(3);
    const homes = await ask.locator('.answers .home').allTextContents();
    expect(homes.sort()).toEqual(['here', 'here', 'on Ben']);
    await answers.last().scrollIntoViewIfNeeded();
    await app.page.screenshot({ path: join(SCREENSHOTS, 'swarm-council.png') });
    await answers.filter({ hasText: 'on Ben' }).getByRole('button', { name: 'Pick' }).click();
    await expect.poll(() => ask.getByRole('status').textContent()).toMatch(/^Bohr gets \+1; .+ each get −1\/2\.$/);
    await until(() => ben.services.agents.life.fitnessOf(ben.services.agents.life.agent(bohr.id)) > before, "Bohr's fitness to rise at Ben's");
  }, 120_000);

  it("draws agents that live on a peer apart in the family tree (Bohr, whose child lives here, lives on Ben's machine)", async () => {
    await app.page.getByRole('link', { name: 'Family tree' }).click();
    await expect.poll(() => app.page.locator('.legend').textContent(), { timeout: 30_000 }).toMatch(/lives on a peer/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'swarm-tree.png') });
    await app.page.getByRole('link', { name: 'Swarm' }).click();
  }, 60_000);

  it('removes Ben, then leaves the circle', async () => {
    const peers = app.page.getByRole('region', { name: 'Peers' });
    await peers.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => peers.locator('tbody tr').first().textContent()).toMatch(/removed/);
    await app.page.getByRole('button', { name: 'Leave the circle' }).click();
    await expect.poll(() => app.page.getByRole('region', { name: 'Not in a circle' }).count()).toBe(1);
    expect(app.problems).toEqual([]);
  }, 30_000);
});
