// A whole agent life through the real services, the real engine process and the tiny
// test model: birth from a Genesis record, chat turns with memory and feedback,
// division (a child with its own seed, traits, adapter and memories), the child
// answering, regeneration as a sibling branch, the council and its pick, archival.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traitsFromChain } from '../../electron/agents/traits.node';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { AppServices } from '../../electron/services/app-services.node';
import { getMemoryVector } from '../../electron/store/agent-state.node';
import { replies } from '../../electron/store/conversations.node';
import { fitnessFromEvents } from '../../electron/store/feedback.node';
import { getAgent, seedChainOf } from '../../electron/store/lineage.node';
import { listMemories } from '../../electron/store/memories.node';
import { addModel } from '../../electron/services/model-registry.node';
import { insertGenesis } from '../helpers/genesis';
import { makeTempDir } from '../helpers/temp-dir';
import { tinyModel } from '../helpers/tiny-model';

const paths = buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href);
let dir: ReturnType<typeof makeTempDir>;
let services: AppServices;

beforeAll(async () => {
  dir = makeTempDir();
  const modelPath = join(dir.path, 'tiny.gguf');
  await tinyModel(modelPath, 5, 'llama', 2048);
  services = await AppServices.create({ dataDir: dir.path, mode: 'cli', heartbeatMs: 0, paths, log: () => {} });
  await addModel(services.database.connection, modelPath, Date.now());
}, 60_000);
afterAll(async () => {
  await services.shutdown();
  dir.remove();
});

describe('an agent’s life', () => {
  it('is born once from a Genesis record, with traits derived from the seed', () => {
    const db = services.database.connection;
    const genesisId = insertGenesis(db);
    const agent = services.agents.life.birth(genesisId, 'Ada');
    expect(agent).toMatchObject({ name: 'Ada', generation: 0, state: 'alive', interactions: 0 });
    expect(agent.traits).toEqual(traitsFromChain(seedChainOf(db, agent.id)));
    expect(getMemoryVector(db, agent.id)).toHaveLength(512);
    expect(() => services.agents.life.birth(genesisId)).toThrow(/already gave birth to Ada/);
    // A name is derived from the seed when none is given.
    expect(services.agents.life.birth(insertGenesis(db)).name).toMatch(/^[A-Z][a-z]+$/);
  });

  it('lives 25 turns with feedback, divides, and its child answers', async () => {
    const db = services.database.connection;
    const ada = services.agents.life.birth(insertGenesis(db), 'Turing');
    const divisions: unknown[] = [];
    const off = services.hub.on('agent.divided', (event) => divisions.push(event));
    let parentId: number | null = null;
    let conversationId: number | undefined;
    let child;
    let turns = 0;
    for (; turns < 25 && !child; turns++) {
      const streamed: string[] = [];
      const turn = await services.agents.chat.say({ agentId: ada.id, text: `Tell me about stars, number ${turns}.`, ...(conversationId ? { conversationId } : {}), parentId }, (t) => streamed.push(t));
      const result = await turn.done;
      expect(result.message.content).toBe(streamed.join(''));
      expect(result.message).toMatchObject({ role: 'assistant', agentId: ada.id, parentId: result.userMessage.id, kind: 'chat' });
      expect(result.message.tokensPerSecond).toBeGreaterThan(0);
      expect(Math.abs(result.noise.scale)).toBeLessThanOrEqual(0.8);
      conversationId = result.userMessage.conversationId;
      parentId = result.message.id;
      const feedback = await services.agents.chat.feedback(result.message.id, turns % 4 === 3 ? 'down' : 'up');
      child = result.divided ?? feedback.divided;
    }
    off();
    // Fitness +1 for most answers lowers the threshold below R = 25 (selection pressure), never below R/2.
    expect(child).toBeDefined();
    expect(turns).toBeGreaterThanOrEqual(13);
    expect(turns).toBeLessThanOrEqual(25);
    expect(divisions).toEqual([{ parentId: ada.id, parentName: 'Turing', childId: child!.id, childName: 'Turing II', generation: 1 }]);
    const parent = getAgent(db, ada.id)!;
    expect(parent.interactions).toBe(0);
    expect(parent.totalInteractions).toBe(turns);
    expect(parent.fitness).toBeCloseTo(fitnessFromEvents(db, ada.id), 10);
    // The child: a mutated copy with its own seed link, drifted traits, a noisy copy of the memory vector and the parent's memories.
    expect(child!.seed).not.toEqual(parent.seed);
    expect(child!.traits).toEqual(traitsFromChain(seedChainOf(db, child!.id)));
    expect(child!.traits['temperament.arousal']).not.toBe(parent.traits['temperament.arousal']);
    expect(child!.inheritedFitness).toBeCloseTo(services.agents.life.fitnessOf(parent), 6);
    const pv = getMemoryVector(db, parent.id)!;
    const cv = getMemoryVector(db, child!.id)!;
    const diff = cv.map((v, i) => v - pv[i]!);
    expect(Math.sqrt(diff.reduce((s, d) => s + d * d, 0) / diff.length)).toBeGreaterThan(0.0005);
    expect(Math.sqrt(diff.reduce((s, d) => s + d * d, 0) / diff.length)).toBeLessThan(0.002);
    // An empty answer (the random test model can stop at once) leaves no memory.
    expect(listMemories(db, child!.id).length).toBe(Math.min(listMemories(db, ada.id).length, 64));
    expect(listMemories(db, child!.id).length).toBeGreaterThan(turns / 2);
    // The child answers, with its own adapter file.
    const answer = await (await services.agents.chat.say({ agentId: child!.id, text: 'Who are you?' })).done;
    expect(answer.message.agentId).toBe(child!.id);
    expect(existsSync(join(dir.path, 'adapters'))).toBe(true);
    // Memories are recalled by similarity: asking about stars again finds the star turns.
    const recalled = services.agents.chat.recall(getAgent(db, ada.id)!, 'Tell me about stars');
    expect(recalled.length).toBeGreaterThan(0);
    expect(recalled[0]!.query).toMatch(/stars/);
  }, 300_000);

  it('regenerates an answer as a sibling branch', async () => {
    const db = services.database.connection;
    const agent = services.agents.life.birth(insertGenesis(db), 'Grace');
    const first = await (await services.agents.chat.say({ agentId: agent.id, text: 'Hello there' })).done;
    const second = await (await services.agents.chat.regenerate(first.message.id)).done;
    expect(second.message.parentId).toBe(first.userMessage.id);
    expect(second.message.kind).toBe('regeneration');
    expect(replies(db, first.userMessage.conversationId, first.userMessage.id).map((m) => m.id)).toEqual([first.message.id, second.message.id]);
  }, 120_000);

  it('asks a council of k agents and turns the pick into feedback for all of them', async () => {
    const db = services.database.connection;
    const council = await services.agents.council.ask({ text: 'What is noise?', k: 3 });
    expect(new Set(council.members.map((m) => m.id)).size).toBe(3);
    const answers = await council.done;
    expect(answers.map((a) => a.message.kind)).toEqual(['council', 'council', 'council']);
    const before = council.members.map((m) => services.agents.life.fitnessOf(getAgent(db, m.id)!));
    const { picked, others } = services.agents.council.pick(answers[1]!.message.id);
    expect(picked.id).toBe(council.members[1]!.id);
    expect(services.agents.life.fitnessOf(picked)).toBeCloseTo(before[1]! + 1, 2);
    expect(others.map((o) => o.id).sort()).toEqual([council.members[0]!.id, council.members[2]!.id].sort());
    for (const other of others) {
      const i = council.members.findIndex((m) => m.id === other.id);
      expect(services.agents.life.fitnessOf(other)).toBeCloseTo(before[i]! - 0.5, 2);
    }
  }, 300_000);

  it('archives unfit and idle agents, which then stay in the tree but no longer answer', async () => {
    const db = services.database.connection;
    const sulky = services.agents.life.birth(insertGenesis(db), 'Sulky');
    const idle = services.agents.life.birth(insertGenesis(db), 'Idle');
    db.prepare('UPDATE agent SET last_active_at = ? WHERE id = ?').run(Date.now() - 91 * 24 * 3600 * 1000, idle.id);
    let archived = false;
    for (let i = 0; i < 6 && !archived; i++) {
      const answer = await (await services.agents.chat.say({ agentId: sulky.id, text: `Try ${i}` })).done;
      archived = (await services.agents.chat.feedback(answer.message.id, 'down')).archived;
    }
    expect(archived).toBe(true);
    expect(getAgent(db, sulky.id)!.state).toBe('archived');
    expect(services.agents.life.archiveDue()).toEqual([idle.id]);
    await expect(services.agents.chat.say({ agentId: idle.id, text: 'Hello?' })).rejects.toThrow(/Idle is archived/);
    await expect(services.agents.life.divide(sulky.id, 'test')).rejects.toThrow(/archived/);
  }, 120_000);
});
