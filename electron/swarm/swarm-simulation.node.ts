// A swarm without the language model: P installations with their agents, questions asked
// across the circle as the app asks them (rosters from at most MAX_ROSTER_PEERS peers, each
// listing its MAX_ROSTER fittest, members drawn by fitness with the council's own draw), a
// synthetic person who picks the best answer (+1 to it, −1/(k−1) to the others), liked answers
// in the shared memory (nearest-neighbour recall, decayed fitness, eviction past a limit), and
// evolution (fit agents divide onto a random peer with a mutated skill, the unfit are archived).
// Each generation reports the memory's hit rate, the fitness of the agents asked, the quality of
// the picked answers, and the messages and bytes a question costs on the wire (the circle's real
// frames, encoded). Reproducible: every draw comes from one stream seeded by the seed's text.
import { createHash } from 'node:crypto';
import { drawCouncil } from '../agents/council.std';
import { rosterPeers } from './roster.std';
import { encodeFrame, MAX_ROSTER, type PeerMessage } from './frames.std';

export interface SwarmSimulationOptions {
  peers: number;
  agentsPerPeer: number;
  generations: number;
  /** Questions asked across the circle per generation. */
  questions: number;
  /** Council size. */
  k: number;
  seed: string;
  /** Shared memories kept (the app keeps 5,000). */
  memoryKeep?: number;
  /** Distinct subjects questions are about. */
  topics?: number;
}

export interface SwarmGenerationReport {
  generation: number;
  agents: number;
  divisions: number;
  archived: number;
  /** Share of questions whose nearest shared memory is about the same subject (recall helped). */
  hitRate: number;
  /** Mean fitness of the agents the councils drew. */
  memberFitness: number;
  /** Mean quality (0–1) of the answers picked. */
  pickedQuality: number;
  memories: number;
  /** Circle frames one question costs (rosters, asks, answers, verdicts), and their bytes. */
  messagesPerQuestion: number;
  bytesPerQuestion: number;
}

const DIMENSIONS = 16;
/** Cosine similarity from which a recalled memory counts as being about the question. */
const HIT_SIMILARITY = 0.9;
/** Fitness decay per generation (the app's fitness halves over about 14 days of no feedback). */
const DECAY = Math.exp(-1 / 10);

/** xoshiro128**, seeded from SHA-256 of the seed's text: fast and the same everywhere. */
function randomStream(seed: string): () => number {
  const digest = createHash('sha256').update(`lightseed swarm simulation ${seed}`).digest();
  let a = digest.readUInt32LE(0) | 1;
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  return () => {
    const result = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return result / 4294967296;
  };
}

function unit(v: Float32Array, offset = 0): void {
  let norm = 0;
  for (let i = 0; i < DIMENSIONS; i++) norm += v[offset + i]! ** 2;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < DIMENSIONS; i++) v[offset + i] = v[offset + i]! / norm;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/** Bytes of each circle frame a question uses, from the real encoder. */
function frameSizes(k: number) {
  const key = 'ab'.repeat(16);
  const uid = 'cd'.repeat(32);
  const size = (message: PeerMessage) => encodeFrame(message).length;
  const rosterOf = (n: number) => size({ t: 'roster', agents: Array.from({ length: n }, (_, i) => ({ uid, name: `Agent ${i} III`, fitness: 1.2345678 })) });
  const rosters = Array.from({ length: MAX_ROSTER + 1 }, (_, n) => rosterOf(n));
  const question = 'What should a lighthouse keeper know about the coming storm?';
  const answer = 'a'.repeat(400);
  return {
    rosterAsk: size({ t: 'roster-ask' }),
    roster: (n: number) => rosters[Math.min(MAX_ROSTER, n)]!,
    ask: size({ t: 'ask', key, agent: uid, text: question }),
    answer: size({ t: 'answer', key, text: answer }),
    verdict: size({ t: 'verdict', key, value: -1 / Math.max(1, k - 1) }),
  };
}

export function* simulateSwarm(options: SwarmSimulationOptions): Generator<SwarmGenerationReport> {
  const random = randomStream(options.seed);
  const { peers, k } = options;
  const topics = options.topics ?? 256;
  const keep = options.memoryKeep ?? 5000;
  const population = peers * options.agentsPerPeer;
  // Room for children: a fifth more slots than the first agents.
  const capacity = Math.ceil(population * 1.2);
  // Agents: a skill direction, fitness, home, alive; slots are reused after archival.
  const skill = new Float32Array(capacity * DIMENSIONS);
  const fitness = new Float32Array(capacity);
  const asked = new Uint16Array(capacity);
  const home = new Int32Array(capacity);
  const alive = new Uint8Array(capacity);
  for (let a = 0; a < capacity; a++) {
    for (let i = 0; i < DIMENSIONS; i++) skill[a * DIMENSIONS + i] = gaussian(random);
    unit(skill, a * DIMENSIONS);
    home[a] = a % peers;
    alive[a] = a < population ? 1 : 0;
  }
  const topic = new Float32Array(topics * DIMENSIONS);
  for (let t = 0; t < topics; t++) {
    for (let i = 0; i < DIMENSIONS; i++) topic[t * DIMENSIONS + i] = gaussian(random);
    unit(topic, t * DIMENSIONS);
  }
  // Per peer, its agents (slots); each peer's roster is its fittest MAX_ROSTER.
  const byPeer: number[][] = Array.from({ length: peers }, () => []);
  for (let a = 0; a < capacity; a++) byPeer[home[a]!]!.push(a);
  const rosterOf = (p: number) => {
    const list = byPeer[p]!.filter((a) => alive[a]);
    if (list.length > MAX_ROSTER) list.sort((x, y) => fitness[y]! - fitness[x]!).length = MAX_ROSTER;
    return list;
  };
  // The shared memory: question vector, subject, fitness.
  const memoryVector = new Float32Array(keep * DIMENSIONS);
  const memoryTopic = new Int32Array(keep);
  const memoryFitness = new Float32Array(keep);
  let memories = 0;
  const sizes = frameSizes(k);
  const everyone = Array.from({ length: peers }, (_, p) => p);
  const q = new Float32Array(DIMENSIONS);
  const dot = (v: Float32Array, offset: number) => {
    let s = 0;
    for (let i = 0; i < DIMENSIONS; i++) s += v[offset + i]! * q[i]!;
    return s;
  };

  for (let generation = 1; generation <= options.generations; generation++) {
    let hits = 0;
    let memberFitness = 0;
    let members = 0;
    let pickedQuality = 0;
    let messages = 0;
    let bytes = 0;
    for (let n = 0; n < options.questions; n++) {
      const subject = Math.floor(random() * topics);
      for (let i = 0; i < DIMENSIONS; i++) q[i] = topic[subject * DIMENSIONS + i]! + 0.15 * gaussian(random);
      unit(q);
      // Recall: the nearest shared memory; a hit when it is about the same subject.
      let best = -2;
      let bestAt = -1;
      for (let m = 0; m < memories; m++) {
        const s = dot(memoryVector, m * DIMENSIONS);
        if (s > best) {
          best = s;
          bestAt = m;
        }
      }
      const hit = bestAt >= 0 && best >= HIT_SIMILARITY && memoryTopic[bestAt] === subject;
      if (hit) {
        hits++;
        memoryFitness[bestAt] = memoryFitness[bestAt]! + 0.5; // used, and useful
      }
      // The council: rosters from at most MAX_ROSTER_PEERS other peers, the asker's own agents, a fitness-weighted draw.
      const asker = Math.floor(random() * peers);
      const others = rosterPeers(everyone.filter((p) => p !== asker), random);
      const candidates = [...rosterOf(asker), ...others.flatMap((p) => rosterOf(p))];
      const rosterBytes = others.reduce((sum, p) => sum + sizes.rosterAsk + sizes.roster(Math.min(MAX_ROSTER, byPeer[p]!.length)), 0);
      messages += 2 * others.length;
      bytes += rosterBytes;
      if (candidates.length === 0) continue;
      const chosen = drawCouncil(candidates.map((a) => ({ id: a, fitness: fitness[a]! })), k, random);
      let bestQuality = -Infinity;
      let picked = -1;
      for (const a of chosen) {
        // An answer's quality: how the agent's skill meets the question, better with a recalled memory on it.
        const quality = Math.max(0, Math.min(1, 0.5 + 0.5 * dot(skill, a * DIMENSIONS) + (hit ? 0.2 : 0) + 0.05 * gaussian(random)));
        memberFitness += fitness[a]!;
        members++;
        asked[a] = asked[a]! + 1;
        if (home[a] !== asker) {
          messages += 3; // ask, answer, verdict
          bytes += sizes.ask + sizes.answer + sizes.verdict;
        }
        if (quality > bestQuality) {
          bestQuality = quality;
          picked = a;
        }
      }
      pickedQuality += bestQuality;
      for (const a of chosen) fitness[a] = fitness[a]! + (a === picked ? 1 : -1 / Math.max(1, chosen.length - 1));
      // The liked answer goes into the shared memory; past the limit, the least worth goes.
      let slot = memories;
      if (memories === keep) {
        slot = 0;
        for (let m = 1; m < keep; m++) if (memoryFitness[m]! < memoryFitness[slot]!) slot = m;
      } else memories++;
      memoryVector.set(q, slot * DIMENSIONS);
      memoryTopic[slot] = subject;
      memoryFitness[slot] = 1;
    }
    // Evolution: decay; agents asked often and fit divide (onto a random peer, skill mutated); the unfit go.
    let divisions = 0;
    let archived = 0;
    for (let m = 0; m < memories; m++) memoryFitness[m] = memoryFitness[m]! * DECAY;
    const free: number[] = [];
    for (let a = 0; a < capacity; a++) {
      if (!alive[a]) {
        free.push(a);
        continue;
      }
      fitness[a] = fitness[a]! * DECAY;
      if (fitness[a]! <= -0.9) {
        alive[a] = 0;
        archived++;
        free.push(a);
      }
    }
    for (let a = 0; a < capacity && free.length > 0; a++) {
      if (!alive[a] || asked[a]! < 1 || fitness[a]! < 0.8) continue;
      const child = free.pop()!;
      for (let i = 0; i < DIMENSIONS; i++) skill[child * DIMENSIONS + i] = skill[a * DIMENSIONS + i]! + 0.2 * gaussian(random);
      unit(skill, child * DIMENSIONS);
      fitness[child] = 0;
      asked[child] = 0;
      asked[a] = 0;
      const was = home[child]!;
      const list = byPeer[was]!;
      list.splice(list.indexOf(child), 1);
      home[child] = Math.floor(random() * peers);
      byPeer[home[child]!]!.push(child);
      alive[child] = 1;
      divisions++;
    }
    let agents = 0;
    for (let a = 0; a < capacity; a++) agents += alive[a]!;
    yield {
      generation,
      agents,
      divisions,
      archived,
      hitRate: hits / options.questions,
      memberFitness: members ? memberFitness / members : 0,
      pickedQuality: pickedQuality / options.questions,
      memories,
      messagesPerQuestion: messages / options.questions,
      bytesPerQuestion: bytes / options.questions,
    };
  }
}
