// Evolution without the language model: a population under the real life rules
// (fitness with decay, division threshold with selection pressure, archival), real
// mutations (child seed = SHA-256(parent seed ‖ 256 fresh bits), traits drifted from
// it) and a synthetic user who likes answers from agents whose traits are near a
// hidden target. Reproducible from its seed: every draw comes from one seed stream.
import { createHash } from 'node:crypto';
import { decayedFitness, FITNESS_TAU } from './fitness.std';
import { archiveReason, DEFAULT_LIFE_RULES, interactionsToDivide, type LifeRules } from './profile.std';
import { SeedStream } from './seed-stream.node';
import { logistic, TRAIT_COUNT } from './trait-names.std';
import { driftLatents, rootLatents } from './traits.node';

export interface SimulationOptions {
  /** Population size: roots at the start and the most alive agents kept after each generation. */
  agents: number;
  generations: number;
  /** Any text; the same seed gives the same run. */
  seed: string;
  rules?: LifeRules;
  /** Interactions each alive agent has per generation. Default: the division threshold R. */
  interactionsPerGeneration?: number;
  /** Width of the synthetic user's taste around the target (RMS trait distance). Default 0.15. */
  tasteWidth?: number;
}

export interface GenerationReport {
  generation: number;
  alive: number;
  divisions: number;
  archived: number;
  meanFitness: number;
  maxFitness: number;
  /** Mean chance that the synthetic user gives a thumbs up to an alive agent. */
  meanApproval: number;
  /** Mean RMS distance of alive agents' traits from the hidden target. */
  meanDistance: number;
}

class Population {
  latents: Float64Array;
  seeds: Uint8Array;
  fitness: Float64Array;
  counter: Int32Array;
  approval: Float64Array;
  distance: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.latents = new Float64Array(capacity * TRAIT_COUNT);
    this.seeds = new Uint8Array(capacity * 32);
    this.fitness = new Float64Array(capacity);
    this.counter = new Int32Array(capacity);
    this.approval = new Float64Array(capacity);
    this.distance = new Float64Array(capacity);
  }

  /** A free slot at the end, growing the arrays when full. */
  add(): number {
    if (this.size === this.fitness.length) {
      const grow = <T extends Float64Array | Uint8Array | Int32Array>(old: T, per: number): T => {
        const next = new (old.constructor as new (n: number) => T)(old.length * 2 || per);
        next.set(old);
        return next;
      };
      this.latents = grow(this.latents, TRAIT_COUNT);
      this.seeds = grow(this.seeds, 32);
      this.fitness = grow(this.fitness, 1);
      this.counter = grow(this.counter, 1);
      this.approval = grow(this.approval, 1);
      this.distance = grow(this.distance, 1);
    }
    return this.size++;
  }

  /** Copies agent `i` of `from` into the next free slot. */
  push(from: Population, i: number): number {
    const j = this.add();
    this.latents.set(from.latents.subarray(i * TRAIT_COUNT, (i + 1) * TRAIT_COUNT), j * TRAIT_COUNT);
    this.seeds.set(from.seeds.subarray(i * 32, i * 32 + 32), j * 32);
    this.fitness[j] = from.fitness[i]!;
    this.counter[j] = from.counter[i]!;
    this.approval[j] = from.approval[i]!;
    this.distance[j] = from.distance[i]!;
    return j;
  }
}

export function* simulate(options: SimulationOptions): Generator<GenerationReport> {
  const rules = options.rules ?? DEFAULT_LIFE_RULES;
  const n = options.agents;
  const perGeneration = options.interactionsPerGeneration ?? rules.divisionThreshold;
  const width = options.tasteWidth ?? 0.15;
  const root = createHash('sha256').update(`LightSeed simulation ${options.seed}`).digest();
  const draws = new SeedStream(root, 'simulate/draws');
  const targetStream = new SeedStream(root, 'simulate/target');
  const target = Float64Array.from({ length: TRAIT_COUNT }, () => logistic(targetStream.normal()));
  const decayOne = (f: number) => decayedFitness(f, 0, 1, FITNESS_TAU);

  const judge = (p: Population, j: number) => {
    let sum = 0;
    for (let t = 0; t < TRAIT_COUNT; t++) {
      const d = logistic(p.latents[j * TRAIT_COUNT + t]!) - target[t]!;
      sum += d * d;
    }
    const distance = Math.sqrt(sum / TRAIT_COUNT);
    p.distance[j] = distance;
    p.approval[j] = 0.35 + 0.6 * Math.exp(-(distance * distance) / (2 * width * width));
  };

  let population = new Population(n);
  for (let i = 0; i < n; i++) {
    const seed = createHash('sha256').update(root).update(`genesis ${i}`).digest();
    population.add();
    population.seeds.set(seed, i * 32);
    population.latents.set(rootLatents(seed), i * TRAIT_COUNT);
    judge(population, i);
  }

  const fresh = new Uint8Array(32);
  for (let generation = 1; generation <= options.generations; generation++) {
    const next = new Population(population.size * 2 + 1);
    let divisions = 0;
    let archived = 0;
    const parents = population.size;
    for (let i = 0; i < parents; i++) {
      const me = next.push(population, i);
      for (let k = 0; k < perGeneration; k++) {
        next.fitness[me] = decayOne(next.fitness[me]!) + (draws.uniform() < next.approval[me]! ? 1 : -1);
        next.counter[me]!++;
        if (next.counter[me]! >= interactionsToDivide(next.fitness[me]!, rules)) {
          // The division: child seed = SHA-256(parent seed ‖ 256 fresh bits), traits drifted from it.
          const childSeed = createHash('sha256').update(next.seeds.subarray(me * 32, me * 32 + 32)).update(draws.bytes(fresh)).digest();
          const child = next.add();
          next.seeds.set(childSeed, child * 32);
          next.latents.set(driftLatents(next.latents.slice(me * TRAIT_COUNT, (me + 1) * TRAIT_COUNT), childSeed), child * TRAIT_COUNT);
          next.fitness[child] = next.fitness[me]!; // a copy inherits the parent's standing
          next.counter[child] = 0;
          next.counter[me] = 0;
          judge(next, child);
          divisions++;
        }
      }
    }
    // Archival: agents below the fitness floor, then the least fit beyond the population size.
    const keep: number[] = [];
    for (let j = 0; j < next.size; j++) {
      if (archiveReason({ fitness: next.fitness[j]!, lastActiveAt: 0 }, 0, rules) === undefined) keep.push(j);
      else archived++;
    }
    if (keep.length > n) {
      keep.sort((a, b) => next.fitness[b]! - next.fitness[a]! || a - b);
      archived += keep.length - n;
      keep.length = n;
      keep.sort((a, b) => a - b);
    }
    population = new Population(keep.length * 2 + 1);
    for (const j of keep) population.push(next, j);

    let sumF = 0;
    let maxF = -Infinity;
    let sumA = 0;
    let sumD = 0;
    for (let j = 0; j < population.size; j++) {
      sumF += population.fitness[j]!;
      maxF = Math.max(maxF, population.fitness[j]!);
      sumA += population.approval[j]!;
      sumD += population.distance[j]!;
    }
    const alive = population.size;
    yield {
      generation,
      alive,
      divisions,
      archived,
      meanFitness: alive ? sumF / alive : 0,
      maxFitness: alive ? maxF : 0,
      meanApproval: alive ? sumA / alive : 0,
      meanDistance: alive ? sumD / alive : 0,
    };
    if (alive === 0) return;
  }
}
