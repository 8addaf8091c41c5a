// A writer process running the real lineage store is SIGKILLed in the middle of a
// burst of divisions, batches of agents, chat turns and thumbs; the file it leaves must open with every
// invariant intact and keep working. SQLite's WAL gives atomic commits; this test
// checks that the store puts each logical change in exactly one transaction.
import { createHash, randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { WritableDB } from '../../electron/store/sql.node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { decayedFitness } from '../../electron/agents/fitness.std';
import { fitnessFromEvents } from '../../electron/store/feedback.node';
import { ancestorIds, divideAgent, recomputeDescendantCounts } from '../../electron/store/lineage.node';
import { bundleForNode } from '../helpers/bundle-for-node';
import { expectStatsAsRecomputed } from '../helpers/recomputed-stats';
import { writeUntilKilled } from '../helpers/kill-writer';
import { makeTempDir } from '../helpers/temp-dir';

/** Milliseconds between the writer's "ready" and SIGKILL, one round each, on the same file. */
const KILL_DELAYS_MS = [0, 25, 120, 450, 1200];

let writer: string;
let dir: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  writer = await bundleForNode('test/fixtures/lineage-writer.ts');
  dir = makeTempDir();
}, 20_000);
afterAll(() => {
  dir?.remove();
  if (writer) rmSync(dirname(writer), { recursive: true, force: true });
});

interface AgentFacts {
  id: number;
  parent_id: number | null;
  root_id: number;
  generation: number;
  uid: string;
  seed: Buffer;
  interactions: number;
  total_interactions: number;
  fitness: number;
  fitness_at: number;
  subtree_size: number;
}

/** The agent and its descendants, as the store counts them. */
const SUBTREE_SIZE = 'coalesce((SELECT count FROM agent_descendants WHERE agent_descendants.id = agent.id), 0) + 1 AS subtree_size';

/** Subtree sizes counted afresh: every agent adds one to itself and to each ancestor. */
function countSubtrees(agents: AgentFacts[]): Map<number, number> {
  const byId = new Map(agents.map((a) => [a.id, a]));
  // Each agent keeps its own link; the chain is its parent's chain plus that link (parents have smaller ids).
  const chainOf = new Map<number, Buffer>();
  for (const a of agents) chainOf.set(a.id, a.parent_id === null ? a.seed : Buffer.concat([chainOf.get(a.parent_id) ?? Buffer.alloc(0), a.seed]));
  const size = new Map<number, number>();
  for (const agent of agents) {
    for (let at: AgentFacts | undefined = agent; at; at = at.parent_id === null ? undefined : byId.get(at.parent_id)) {
      size.set(at.id, (size.get(at.id) ?? 0) + 1);
    }
  }
  return size;
}

/** Every invariant the store promises, checked on the reopened file; returns the number of committed operations. */
function checkInvariants(db: WritableDB): number {
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.pragma('foreign_key_check')).toEqual([]);

  const agents = db
    .prepare(`SELECT id, parent_id, root_id, generation, uid, seed, interactions, total_interactions, fitness, fitness_at, ${SUBTREE_SIZE} FROM agent ORDER BY id`)
    .all() as AgentFacts[];
  const byId = new Map(agents.map((a) => [a.id, a]));
  // Each agent keeps its own link; the chain is its parent's chain plus that link (parents have smaller ids).
  const chainOf = new Map<number, Buffer>();
  for (const a of agents) chainOf.set(a.id, a.parent_id === null ? a.seed : Buffer.concat([chainOf.get(a.parent_id) ?? Buffer.alloc(0), a.seed]));
  const divisions = db.prepare('SELECT parent_id, child_id, mutation_seed, parent_interactions FROM division').all() as {
    parent_id: number;
    child_id: number;
    mutation_seed: Buffer;
    parent_interactions: number;
  }[];

  // A division and its child exist together, and the child is what the division says.
  const divisionOf = new Map(divisions.map((d) => [d.child_id, d]));
  expect(divisionOf.size).toBe(divisions.length); // child_id is UNIQUE: at most one division per child
  const broken: string[] = [];
  for (const d of divisions) {
    const child = byId.get(d.child_id);
    const parent = byId.get(d.parent_id);
    if (!child || !parent) {
      broken.push(`division ${d.parent_id}→${d.child_id} without its agents`);
      continue;
    }
    if (child.parent_id !== d.parent_id) broken.push(`agent ${child.id} has parent ${child.parent_id}, its division says ${d.parent_id}`);
    if (child.generation !== parent.generation + 1) broken.push(`agent ${child.id} is generation ${child.generation} under generation ${parent.generation}`);
    if (child.root_id !== parent.root_id) broken.push(`agent ${child.id} has root ${child.root_id}, its parent ${parent.root_id}`);
    if (!child.seed.equals(d.mutation_seed)) broken.push(`agent ${child.id}'s seed is not its division's mutation seed`);
  }
  for (const agent of agents) {
    if (agent.parent_id !== null && !divisionOf.has(agent.id)) broken.push(`agent ${agent.id} has a parent but no division`);
    if (agent.parent_id === null && agent.root_id !== agent.id) broken.push(`root ${agent.id} names ${agent.root_id} as its root`);
    if (agent.uid !== createHash('sha256').update(chainOf.get(agent.id)!).digest('hex')) broken.push(`agent ${agent.id}'s uid is not the hash of its seed chain`);
  }
  expect(broken).toEqual([]);

  // Cached subtree sizes: counted afresh here, and the store's own repair finds nothing to repair.
  const counted = countSubtrees(agents);
  expect(agents.filter((a) => a.subtree_size !== counted.get(a.id)).map((a) => `agent ${a.id}: cached ${a.subtree_size}, counted ${counted.get(a.id)}`)).toEqual([]);
  expect(recomputeDescendantCounts(db)).toBe(0);

  // The per-generation sums kept by the triggers: what a recomputation from every row gives, with
  // every trigger in place (a batch of agents drops one inside its transaction).
  expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'agent' ORDER BY name").pluck().all()).toEqual([
    'agent_counted',
    'agent_fitness_now',
    'agent_fitness_summed',
    'agent_moved',
    'agent_traits_moved',
    'agent_uncounted',
  ]);
  expectStatsAsRecomputed(db, null);

  // Fitness: the stored, decayed value is the sum of the feedback events.
  const fitnessOff = agents
    .map((a) => ({ id: a.id, stored: decayedFitness(a.fitness, a.fitness_at, a.total_interactions), events: fitnessFromEvents(db, a.id) }))
    .filter((f) => !(Math.abs(f.stored - f.events) <= 1e-9));
  expect(fitnessOff).toEqual([]);

  // Interactions: one per chat turn, and a division hands the parent's counter over to its division row.
  const answers = new Map(
    (db.prepare("SELECT agent_id, count(*) AS n FROM message WHERE role = 'assistant' GROUP BY agent_id").all() as { agent_id: number; n: number }[]).map((r) => [r.agent_id, r.n]),
  );
  const handedOver = new Map<number, number>();
  for (const d of divisions) handedOver.set(d.parent_id, (handedOver.get(d.parent_id) ?? 0) + d.parent_interactions);
  const counters = agents
    .filter((a) => a.total_interactions !== (answers.get(a.id) ?? 0) || a.total_interactions !== a.interactions + (handedOver.get(a.id) ?? 0))
    .map((a) => `agent ${a.id}: total ${a.total_interactions}, since division ${a.interactions}, answers ${answers.get(a.id) ?? 0}, handed over ${handedOver.get(a.id) ?? 0}`);
  expect(counters).toEqual([]);

  // A chat turn is whole: one question, one answer to it, nothing else in its conversation.
  const halfTurns = db
    .prepare(
      `SELECT conversation.id FROM conversation LEFT JOIN message q ON q.conversation_id = conversation.id AND q.role = 'user' AND q.parent_id IS NULL
       LEFT JOIN message a ON a.conversation_id = conversation.id AND a.role = 'assistant' AND a.parent_id = q.id
       GROUP BY conversation.id HAVING count(DISTINCT q.id) <> 1 OR count(DISTINCT a.id) <> 1
         OR (SELECT count(*) FROM message WHERE message.conversation_id = conversation.id) <> 2`,
    )
    .pluck()
    .all();
  expect(halfTurns).toEqual([]);

  // Feedback on a message goes to the agent that wrote it, at an interaction it had reached.
  const misplaced = db
    .prepare(
      `SELECT feedback.id FROM feedback JOIN agent ON agent.id = feedback.agent_id LEFT JOIN message ON message.id = feedback.message_id
       WHERE feedback.at_interaction > agent.total_interactions OR (feedback.message_id IS NOT NULL AND message.agent_id IS NOT feedback.agent_id)`,
    )
    .pluck()
    .all();
  expect(misplaced).toEqual([]);

  // Each writer transaction added exactly one agent, conversation or feedback row.
  return (db.prepare('SELECT (SELECT count(*) FROM agent) + (SELECT count(*) FROM conversation) + (SELECT count(*) FROM feedback)').pluck().get() as number);
}

describe('the lineage store after a crash', () => {
  it('keeps every invariant when its writer is SIGKILLed mid-burst, round after round', async () => {
    const file = join(dir.path, 'lightseed.db');
    let committed = 0;
    for (const delayMs of KILL_DELAYS_MS) {
      const ended = await writeUntilKilled(writer, file, delayMs);
      expect(ended, `the writer died on its own:\n${ended.output}`).toMatchObject({ signal: 'SIGKILL', code: null });
      // The kill left committed pages in the WAL that were never checkpointed: reopening has to recover them.
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);

      await using database = await Database.open({ path: file });
      const db = database.connection;
      const before = committed;
      committed = checkInvariants(db);
      expect(committed, `round with ${delayMs} ms: the writer's committed work survived`).toBeGreaterThanOrEqual(before + 50);

      // Still usable: a new division commits with its bookkeeping.
      const parent = db.prepare(`SELECT id, ${SUBTREE_SIZE} FROM agent WHERE state = 'alive' ORDER BY random() LIMIT 1`).get() as { id: number; subtree_size: number };
      const child = divideAgent(db, { parentId: parent.id, name: `After the crash of round ${delayMs} ms`, mutationSeed: randomBytes(32), traits: {}, reason: 'crash test: usable after recovery', bornAt: Date.now() });
      committed++;
      expect(ancestorIds(db, child.id)[0]).toBe(parent.id);
      expect(db.prepare(`SELECT ${SUBTREE_SIZE} FROM agent WHERE id = ?`).pluck().get(parent.id)).toBe(parent.subtree_size + 1);
      expect(recomputeDescendantCounts(db)).toBe(0);
    }
  }, 30_000);
});
