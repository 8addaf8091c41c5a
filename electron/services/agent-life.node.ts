// An agent's life in the lineage: birth from a Genesis record, division into a mutated
// child, archival, and the rules (settings) that decide when. The pure rules live in
// agents/ (profile, fitness, traits); this service applies them to the store.
import { createHash } from 'node:crypto';
import { ApiError } from '../api/api-error.std';
import type { EventHub } from '../api/event-hub.std';
import { currentFitness } from '../agents/fitness.std';
import { initialMemoryVector, mutateMemoryVector } from '../agents/memory-vector.node';
import { AGENT_NAME_MAX, MEMORIES_INHERITED, archiveReason, childName, freeName, interactionsToDivide, nameFromDraws, type LifeRules } from '../agents/profile.std';
import { SeedStream } from '../agents/seed-stream.node';
import { traitsFromChain } from '../agents/traits.node';
import { aliveAgents, getMemoryVector, inheritMemories } from '../store/agent-state.node';
import type { Database } from '../store/database.node';
import { genesisSeed } from '../store/entropy.node';
import { archiveAgent, birthAgent, divideAgent, getAgent, livingAgentNamed, seedChainOf, type Agent } from '../store/lineage.node';
import { readSettings } from '../store/settings.node';

/** Fresh bytes from the entropy pool. */
export type PoolDraw = (bytes: number) => Promise<Uint8Array>;

export class AgentLife {
  constructor(
    private readonly database: Database,
    private readonly hub: EventHub,
    private readonly draw: PoolDraw,
    private readonly now: () => number,
  ) {}

  get #db() {
    return this.database.connection;
  }

  rules(): LifeRules {
    const s = readSettings(this.#db);
    return {
      divisionThreshold: s.divisionThreshold,
      selectionPressure: s.selectionPressure,
      archiveIdleMs: s.archiveIdleDays * 24 * 3600 * 1000,
      fitnessFloor: s.fitnessFloor,
    };
  }

  /** The agent, or the API's not_found. */
  agent(id: number): Agent {
    const agent = getAgent(this.#db, id);
    if (!agent) throw new ApiError('not_found', `There is no agent ${id}.`);
    return agent;
  }

  fitnessOf(agent: Agent): number {
    return currentFitness(agent);
  }

  /** Interactions left before the agent divides (at its current fitness). */
  untilDivision(agent: Agent, rules = this.rules()): number {
    return Math.max(0, interactionsToDivide(this.fitnessOf(agent), rules) - agent.interactions);
  }

  /** The agent's memory vector: what it kept, or its root's seed's start for an agent that kept none. */
  memoryVector(agent: Agent): Float32Array {
    return getMemoryVector(this.#db, agent.id) ?? initialMemoryVector(seedChainOf(this.#db, agent.rootId).subarray(0, 32));
  }

  /** A new agent from an unused Genesis record: traits from the seed, a name from it unless given. */
  birth(genesisId: number, name?: string): Agent {
    const seed = genesisSeed(this.#db, genesisId);
    if (!seed) throw new ApiError('not_found', `There is no Genesis record ${genesisId}: harvest one first.`);
    const names = new SeedStream(seed, 'name');
    const chosen = name?.trim();
    if (chosen) this.#checkChosenName(chosen);
    const taken = (candidate: string) => livingAgentNamed(this.#db, candidate) !== undefined;
    try {
      return birthAgent(this.#db, {
        genesisId,
        name: chosen || freeName(nameFromDraws(() => names.uniform()), 1, taken),
        traits: traitsFromChain(seed),
        bornAt: this.now(),
        memoryVector: initialMemoryVector(seed),
      });
    } catch (error) {
      throw new ApiError('failed_precondition', (error as Error).message, undefined, { cause: error });
    }
  }

  /** Divides the agent if its counter reached the threshold for its fitness. */
  async divideIfDue(agentId: number): Promise<Agent | undefined> {
    const agent = this.agent(agentId);
    if (agent.state !== 'alive') return undefined;
    if (agent.interactions < interactionsToDivide(this.fitnessOf(agent), this.rules())) return undefined;
    return this.divide(agentId, `${agent.interactions} interactions at fitness ${this.fitnessOf(agent).toFixed(2)}`);
  }

  /**
   * The division, in one transaction: child seed = SHA-256(parent seed ‖ 256 fresh bits
   * from the pool), traits from the extended chain, memory vector copied with noise,
   * the parent's best memories copied, both counters at 0.
   */
  async divide(agentId: number, reason: string): Promise<Agent> {
    const fresh = await this.draw(32);
    const parent = this.agent(agentId);
    if (parent.state !== 'alive') throw new ApiError('failed_precondition', `${parent.name} is archived and no longer divides.`);
    const mutationSeed = new Uint8Array(createHash('sha256').update(parent.seed).update(fresh).digest());
    const parentChain = seedChainOf(this.#db, parent.id);
    const chain = new Uint8Array(parentChain.length + 32);
    chain.set(parentChain);
    chain.set(mutationSeed, parentChain.length);
    const rootName = parent.parentId === null ? parent.name : (getAgent(this.#db, parent.rootId)?.name ?? parent.name);
    const child = this.#db.transaction(() => {
      const child = divideAgent(this.#db, {
        parentId: parent.id,
        name: childName(rootName, parent.generation + 1, (candidate) => livingAgentNamed(this.#db, candidate) !== undefined),
        mutationSeed,
        traits: traitsFromChain(chain),
        reason,
        bornAt: this.now(),
        memoryVector: mutateMemoryVector(this.memoryVector(parent), mutationSeed),
      });
      inheritMemories(this.#db, parent.id, child.id, MEMORIES_INHERITED);
      return child;
    })();
    this.hub.emit('agent.divided', { parentId: parent.id, parentName: parent.name, childId: child.id, childName: child.name, generation: child.generation });
    return child;
  }

  /** Archives the agent if it is unfit or was unused too long; says whether it did. */
  archiveIfDue(agentId: number): boolean {
    const agent = this.agent(agentId);
    if (agent.state !== 'alive') return false;
    const reason = archiveReason({ fitness: this.fitnessOf(agent), lastActiveAt: agent.lastActiveAt }, this.now(), this.rules());
    if (!reason) return false;
    archiveAgent(this.#db, agentId, this.now());
    return true;
  }

  /** Archives every alive agent that is unfit or was unused too long. Returns their ids. */
  archiveDue(): number[] {
    const now = this.now();
    const rules = this.rules();
    const due = aliveAgents(this.#db).filter((a) => archiveReason({ fitness: currentFitness(a), lastActiveAt: a.lastActiveAt }, now, rules) !== undefined);
    this.#db.transaction(() => due.forEach((a) => archiveAgent(this.#db, a.id, now)))();
    return due.map((a) => a.id);
  }

  /** A name the user chose: not one a living agent has, and not one that reads as an agent's number. */
  #checkChosenName(name: string): void {
    if (/^#?\d+$/.test(name)) throw new ApiError('invalid_params', `"${name}" reads as an agent's number: choose a name with a letter in it.`);
    if (name.length > AGENT_NAME_MAX) throw new ApiError('invalid_params', `A name has at most ${AGENT_NAME_MAX} characters.`);
    const holder = livingAgentNamed(this.#db, name);
    if (holder) throw new ApiError('failed_precondition', `${name} is the name of a living agent (#${holder.id}): choose another name, or leave it out for one from the seed.`);
  }
}
