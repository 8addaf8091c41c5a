// The circle's shared memory through two installations' services, their engine processes and a
// tiny model, over Hyperswarm on a HyperDHT testnet (127.0.0.1): an answer liked on one machine
// goes into its Hypercore log, replicates to the peer, is indexed there and recalled beside the
// peer's agent's own memories (named as shared, in the answer's record); a changed fitness updates
// the same memory; and past the limit the least worth (decayed fitness, then age) are let go.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embed } from '../../electron/agents/embedding.std';
import { evictCircleMemories, listCircleMemories, upsertCircleMemory } from '../../electron/store/circle-memory.node';
import { Database } from '../../electron/store/database.node';
import { insertGenesis } from '../helpers/genesis';
import { swarmWithModel } from '../helpers/swarm-installation';
import { makeTempDir } from '../helpers/temp-dir';
import { until } from '../helpers/wait-for';

const { circleOfTwo } = swarmWithModel();

describe("the circle's shared memory", () => {
  it('carries a liked answer to the peer, where its agent recalls it beside its own memories', async () => {
    const { ana, ben } = await circleOfTwo();

    const ada = ana.services.agents.life.birth(insertGenesis(ana.db), 'Ada');
    const question = 'How does a lighthouse guide ships at night?';
    const turn = await ana.services.agents.chat.say({ agentId: ada.id, text: question });
    const { message } = await turn.done;
    await ana.services.agents.chat.feedback(message.id, 'up');
    const record = await ana.services.sharedMemory.share(message.id);
    expect(record).toMatchObject({ t: 'memory', agent: ada.uid, agentName: 'Ada', query: question, response: message.content });
    expect(await ana.services.sharedMemory.sharedCount()).toBe(1);

    // Replicated, checked and indexed at Ben's.
    await until(() => listCircleMemories(ben.db).length === 1, "the memory to reach Ben's index", 30_000);
    const kept = listCircleMemories(ben.db)[0]!;
    expect(kept).toMatchObject({ peer: ana.services.identity.publicKey, recordId: record!.id, agentName: 'Ada', query: question, response: message.content });

    // Ben's agent, asked about lighthouses, recalls Ada's answer, named as shared.
    const bohr = ben.services.agents.life.birth(insertGenesis(ben.db), 'Bohr');
    const recalled = ben.services.agents.chat.recall(bohr, 'How do lighthouses guide ships?');
    expect(recalled).toEqual([expect.objectContaining({ id: -kept.id, query: question, from: 'Ada on Ana' })]);
    const answer = await (await ben.services.agents.chat.say({ agentId: bohr.id, text: 'How do lighthouses guide ships?' })).done;
    expect(answer.recalled.map((m) => m.from)).toEqual(['Ada on Ana']);
    expect(listCircleMemories(ben.db)[0]!.uses).toBe(1);

    // Liked again: the same memory, a higher fitness, no second entry.
    await ana.services.agents.chat.feedback(message.id, 'up');
    const again = await ana.services.sharedMemory.share(message.id);
    expect(again!.id).toBe(record!.id);
    await until(() => listCircleMemories(ben.db)[0]!.fitness === again!.fitness && again!.fitness !== record!.fitness, 'the new fitness at Ben’s', 30_000);
    expect(listCircleMemories(ben.db)).toHaveLength(1);
    expect(ben.log.filter((line) => /skipped|could not/.test(line))).toEqual([]);
  }, 120_000);

  it('lets go of the least worth past its limit: decayed fitness first, then age', async () => {
    const dir = makeTempDir();
    try {
      await using db = await Database.open({ path: join(dir.path, 'lightseed.db') });
      const day = 24 * 3600 * 1000;
      const now = 100 * day;
      const peer = 'a'.repeat(64);
      const add = (id: string, fitness: number, daysAgo: number) =>
        upsertCircleMemory(
          db.connection,
          { peer, recordId: id, agentUid: 'b'.repeat(64), agentName: 'Ada', query: `question ${id}`, response: 'answer', fitness, createdAt: now - daysAgo * day, updatedAt: now - daysAgo * day },
          embed(`question ${id}`),
        );
      add('fresh-liked', 3, 0);
      add('old-liked', 3, 90); // 3 halvings at 30 days: worth 0.375
      add('fresh-plain', 1, 1);
      add('disliked', -1, 0);
      add('old-plain', 1, 60); // worth 0.25
      expect(evictCircleMemories(db.connection, 3, now, 30 * day)).toBe(2);
      expect(listCircleMemories(db.connection).map((m) => m.recordId).sort()).toEqual(['fresh-liked', 'fresh-plain', 'old-liked']);
      // The vector index lost the same rows: a search finds only what is kept.
      const left = db.connection.prepare('SELECT count(*) FROM circle_memory_vec').pluck().get();
      expect(left).toBe(3);
    } finally {
      dir.remove();
    }
  });
});
