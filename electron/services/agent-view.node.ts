// What the API shows of agents: a summary for lists, the detail of one (persona,
// sampling profile, relatives, memories, fitness history, adapter drift).
import type { AgentDetail, AgentSummary } from '../api/contract.std';
import { adapterDrift } from '../agents/adapter.node';
import { fitnessHistory } from '../agents/fitness.std';
import { persona, samplingProfile, type LifeRules } from '../agents/profile.std';
import type { Database } from '../store/database.node';
import { feedbackEvents } from '../store/feedback.node';
import { ancestors, children, countAgents, listAgents, seedChainOf, type Agent, type AgentState } from '../store/lineage.node';
import { memoryCount } from '../store/memories.node';
import { agentHomes } from '../store/swarm.node';
import type { AgentLife } from './agent-life.node';

/** Points of the fitness chart kept: the latest ones. */
const FITNESS_HISTORY_POINTS = 200;

export class AgentView {
  constructor(
    private readonly database: Database,
    private readonly life: AgentLife,
  ) {}

  get #db() {
    return this.database.connection;
  }

  summary(agent: Agent, rules: LifeRules = this.life.rules(), homes = agentHomes(this.#db, [agent.id])): AgentSummary {
    return {
      id: agent.id,
      uid: agent.uid,
      name: agent.name,
      generation: agent.generation,
      parentId: agent.parentId,
      rootId: agent.rootId,
      genesisId: agent.genesisId,
      state: agent.state,
      fitness: this.life.fitnessOf(agent),
      interactions: agent.interactions,
      untilDivision: agent.state === 'alive' ? this.life.untilDivision(agent, rules) : 0,
      totalInteractions: agent.totalInteractions,
      descendants: agent.descendants,
      bornAt: agent.bornAt,
      lastActiveAt: agent.lastActiveAt,
      archivedAt: agent.archivedAt,
      traits: agent.traits,
      origin: agent.origin,
      signer: agent.signer,
      home: homes.get(agent.id) ?? null,
    };
  }

  /** A page of agents, newest rules applied once for the page. */
  list(options: { state?: AgentState; limit: number; offset: number }): { agents: AgentSummary[]; total: number } {
    const rules = this.life.rules();
    const homes = agentHomes(this.#db);
    return { agents: listAgents(this.#db, options).map((a) => this.summary(a, rules, homes)), total: countAgents(this.#db, options.state) };
  }

  detail(id: number): AgentDetail {
    const agent = this.life.agent(id);
    const ref = (a: Agent) => ({ id: a.id, name: a.name, generation: a.generation, state: a.state });
    return {
      agent: this.summary(agent),
      persona: persona(agent.traits, agent.name, agent.generation),
      profile: samplingProfile(agent.traits),
      ancestors: ancestors(this.#db, id).map(ref),
      children: children(this.#db, id).map(ref),
      memories: memoryCount(this.#db, id),
      fitnessHistory: fitnessHistory(agent.inheritedFitness, feedbackEvents(this.#db, id), agent.totalInteractions).slice(-FITNESS_HISTORY_POINTS),
      adapterDrift: adapterDrift(seedChainOf(this.#db, id)),
    };
  }
}
