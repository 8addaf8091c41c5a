// The circle's shared memory. Each installation appends the answers its person liked (a thumbs
// up, a council pick) to a Hypercore of its own: a single-writer log whose key follows from the
// installation's identity key (Hypercore.key(publicKey)), so every block a peer serves is signed
// by that peer and no one else can write to its log. The logs replicate over the circle's own
// connections (Corestore on a Protomux channel beside the circle's frames). Each reader indexes
// its peers' records here (SQLite, sqlite-vec) and recalls the nearest beside an agent's own
// memories; the question's embedding is computed here from its text, never taken from the writer.
// Fitness decays with time, and past CIRCLE_MEMORY_KEEP entries the least worth (decayed fitness,
// then age) are evicted, as the design's distributed memory asks.
//
// Why a Hypercore per installation, not Autobase or Hyperbee: each record has one author (the
// installation whose person liked it), so there is nothing to linearise between writers, and
// recall is a nearest-neighbour search over embeddings, not a key-range lookup: a signed log per
// writer plus a local vector index is all the structure the memory needs. HyperDHT records would
// put the circle's memories on the public DHT's nodes, and hold 1 KB each.
import Corestore from 'corestore';
import Hypercore from 'hypercore';
import DHT from 'hyperdht';
import type { SwarmSocket } from 'hyperswarm';
import { z } from 'zod';
import { embed } from '../agents/embedding.std';
import type { Peer } from '../swarm/circle.node';
import {
  circleMemoryCount,
  evictCircleMemories,
  markCircleMemoriesUsed,
  nearestCircleMemories,
  noteShared,
  readTo,
  setReadTo,
  sharedRecordOf,
  upsertCircleMemory,
  type CircleMemory,
} from '../store/circle-memory.node';
import { getMessage } from '../store/conversations.node';
import type { Database } from '../store/database.node';
import { getAgent } from '../store/lineage.node';
import type { CircleExtension, SwarmService } from './swarm-service.node';

/** Peers' memories kept for recall; past this, the least worth go. */
export const CIRCLE_MEMORY_KEEP = 5000;
/** A shared memory's fitness halves in this long without an update or a use. */
export const CIRCLE_MEMORY_HALF_LIFE_MS = 30 * 24 * 3600 * 1000;

/** One block of a shared-memory log. */
export const MemoryRecord = z.strictObject({
  t: z.literal('memory'),
  /** The writer's id for this memory: a later record with the same id changes its fitness. */
  id: z.string().min(1).max(64),
  agent: z.string().regex(/^[0-9a-f]{64}$/),
  agentName: z.string().min(1).max(200),
  query: z.string().min(1).max(4000),
  response: z.string().min(1).max(8000),
  fitness: z.number().min(-100).max(100),
  at: z.number().int().nonnegative(),
});
export type MemoryRecord = z.infer<typeof MemoryRecord>;

export interface SharedMemoryOptions {
  log: (line: string) => void;
  now: () => number;
  keep?: number;
  halfLifeMs?: number;
}

export type CircleMemoryHit = CircleMemory & { distance: number; peerName: string };

export class SharedMemory implements CircleExtension {
  #store: Corestore | undefined;
  #own: Hypercore | undefined;
  readonly #logs = new Map<string, Hypercore>();
  #closing: Promise<void> | undefined;

  constructor(
    private readonly database: Database,
    private readonly swarm: SwarmService,
    /** The identity's seed: the own log is written with its key pair. */
    private readonly identitySeed: () => Uint8Array,
    /** Where the logs are stored (one Corestore). */
    private readonly dir: string,
    private readonly options: SharedMemoryOptions,
  ) {
    swarm.use(this);
  }

  get #db() {
    return this.database.connection;
  }

  async #open(): Promise<{ store: Corestore; own: Hypercore }> {
    await this.#closing;
    if (!this.#store) {
      this.#store = new Corestore(this.dir);
      this.#own = this.#store.get({ keyPair: DHT.keyPair(Buffer.from(this.identitySeed())), valueEncoding: 'json' });
    }
    await this.#own!.ready();
    return { store: this.#store, own: this.#own! };
  }

  /**
   * Shares a liked answer with the circle: appended to this installation's log (its fitness is
   * appended again when it changes). Nothing happens outside a circle.
   */
  async share(messageId: number): Promise<MemoryRecord | undefined> {
    if (!this.swarm.inCircle) return undefined;
    const answer = getMessage(this.#db, messageId);
    if (!answer || answer.role !== 'assistant' || answer.agentId === null || answer.parentId === null) return undefined;
    const question = getMessage(this.#db, answer.parentId);
    const agent = getAgent(this.#db, answer.agentId);
    if (!question || question.role !== 'user' || !agent) return undefined;
    const fitness = this.#db.prepare<[number], number>('SELECT fitness FROM memory WHERE message_id = ?').pluck().get(messageId) ?? 1;
    const record: MemoryRecord = {
      t: 'memory',
      id: sharedRecordOf(this.#db, messageId) ?? `${agent.uid.slice(0, 16)}-${messageId}`,
      agent: agent.uid,
      agentName: agent.name,
      query: question.content.slice(0, 4000),
      response: answer.content.slice(0, 8000),
      fitness: Math.max(-100, Math.min(100, fitness)),
      at: this.options.now(),
    };
    const { own } = await this.#open();
    await own.append(record);
    noteShared(this.#db, messageId, record.id, record.at);
    return record;
  }

  /** How many records this installation's own log holds. */
  async sharedCount(): Promise<number> {
    return (await this.#open()).own.length;
  }

  connected(_publicKey: string, socket: SwarmSocket): void {
    void this.#open().then(
      ({ store }) => store.replicate(socket),
      (error: unknown) => this.options.log(`The shared memory could not be opened: ${(error as Error).message}`),
    );
  }

  met(peer: Peer): void {
    void this.#follow(peer).catch((error: unknown) => this.options.log(`${peer.name}'s shared memory could not be read: ${(error as Error).message}`));
  }

  /** Opens a peer's log (its key follows from the peer's identity key), reads what is new, and keeps reading as it grows. */
  async #follow(peer: Peer): Promise<void> {
    if (this.#logs.has(peer.publicKey)) return;
    const { store } = await this.#open();
    const key = Hypercore.key(Buffer.from(peer.publicKey, 'hex'));
    const log = store.get({ key, valueEncoding: 'json' });
    this.#logs.set(peer.publicKey, log);
    await log.ready();
    log.download({ start: 0, end: -1 });
    let reading = Promise.resolve();
    const read = () => (reading = reading.then(() => this.#ingest(peer, log, key.toString('hex'))));
    log.on('append', read);
    await log.update({ wait: true }).catch(() => false);
    await read();
  }

  async #ingest(peer: Peer, log: Hypercore, coreKey: string): Promise<void> {
    let from = readTo(this.#db, peer.publicKey)?.readTo ?? 0;
    while (from < log.length) {
      let block: unknown;
      try {
        block = await log.get(from, { timeout: 30_000 });
      } catch {
        return; // not here yet: the next append reads on
      }
      const parsed = MemoryRecord.safeParse(block);
      if (parsed.success) {
        const r = parsed.data;
        upsertCircleMemory(
          this.#db,
          { peer: peer.publicKey, recordId: r.id, agentUid: r.agent, agentName: r.agentName, query: r.query, response: r.response, fitness: r.fitness, createdAt: r.at, updatedAt: r.at },
          embed(r.query),
        );
      } else {
        this.options.log(`Block ${from} of ${peer.name}'s shared memory is not a memory record; it was skipped.`);
      }
      setReadTo(this.#db, peer.publicKey, coreKey, ++from);
    }
    const evicted = evictCircleMemories(this.#db, this.options.keep ?? CIRCLE_MEMORY_KEEP, this.options.now(), this.options.halfLifeMs ?? CIRCLE_MEMORY_HALF_LIFE_MS);
    if (evicted > 0) this.options.log(`${evicted} of the circle's memories were let go (${circleMemoryCount(this.#db)} kept).`);
  }

  /** The circle's memories nearest to a question's (pulled) embedding, with the peer's name. */
  recall(embedding: Float32Array, k: number): CircleMemoryHit[] {
    return nearestCircleMemories(this.#db, embedding, k).map((m) => ({ ...m, peerName: this.swarm.peerName(m.peer) }));
  }

  markUsed(ids: readonly number[]): void {
    markCircleMemoriesUsed(this.#db, ids, this.options.now());
  }

  async stopped(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    this.#own = undefined;
    this.#logs.clear();
    this.#closing = store?.close();
    await this.#closing;
  }
}
