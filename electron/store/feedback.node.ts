// Interactions and fitness: feedback events, and the agent's fitness folded from them as
// agents/fitness.std.ts defines it (the stored value is valid at `fitness_at`).
import { decayedFitness, FITNESS_TAU, type FitnessEvent } from '../agents/fitness.std';
import { LineageError } from './lineage.node';
import type { ReadableDB, WritableDB } from './sql.node';

export type FeedbackKind = 'up' | 'down' | 'council-pick';

export const FEEDBACK_VALUE: Record<FeedbackKind, number> = { up: 1, down: -1, 'council-pick': 1 };

/** Counts one interaction (a chat turn) for the agent; returns its counter since the last division. */
export function countInteraction(db: WritableDB, agentId: number): number {
  const row = db
    .prepare<unknown[], { interactions: number }>('UPDATE agent SET interactions = interactions + 1, total_interactions = total_interactions + 1 WHERE id = ? RETURNING interactions')
    .get(agentId);
  if (!row) throw new LineageError(`There is no agent ${agentId}.`);
  return row.interactions;
}

export interface FeedbackInput {
  agentId: number;
  messageId?: number | null;
  kind: FeedbackKind;
  /** Default: the kind's value (+1 up, −1 down, +1 for the council's pick). */
  value?: number;
  createdAt: number;
  tau?: number;
}

/** Records feedback and folds it into the agent's fitness, in one transaction. Returns the new fitness. */
export function addFeedback(db: WritableDB, input: FeedbackInput): number {
  const tau = input.tau ?? FITNESS_TAU;
  return db.transaction(() => {
    const agent = db.prepare('SELECT fitness, fitness_at, total_interactions FROM agent WHERE id = ?').get(input.agentId) as
      | { fitness: number; fitness_at: number; total_interactions: number }
      | undefined;
    if (!agent) throw new LineageError(`There is no agent ${input.agentId}.`);
    const value = input.value ?? FEEDBACK_VALUE[input.kind];
    db.prepare('INSERT INTO feedback (agent_id, message_id, kind, value, at_interaction, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      input.agentId,
      input.messageId ?? null,
      input.kind,
      value,
      agent.total_interactions,
      input.createdAt,
    );
    const fitness = decayedFitness(agent.fitness, agent.fitness_at, agent.total_interactions, tau) + value;
    db.prepare('UPDATE agent SET fitness = ?, fitness_at = total_interactions WHERE id = ?').run(fitness, input.agentId);
    return fitness;
  })();
}

/** Fitness recomputed from the feedback events and the inherited fitness, as of the agent's current interaction count. */
export function fitnessFromEvents(db: ReadableDB, agentId: number, tau = FITNESS_TAU): number {
  const agent = db.prepare('SELECT total_interactions, inherited_fitness FROM agent WHERE id = ?').get(agentId) as
    | { total_interactions: number; inherited_fitness: number }
    | undefined;
  if (!agent) throw new LineageError(`There is no agent ${agentId}.`);
  // A divided agent starts from its parent's fitness at the division (interaction 0).
  const inherited = decayedFitness(agent.inherited_fitness, 0, agent.total_interactions, tau);
  return feedbackEvents(db, agentId).reduce((sum, e) => sum + decayedFitness(e.value, e.atInteraction, agent.total_interactions, tau), inherited);
}

/** The agent's feedback events in the order given. */
export function feedbackEvents(db: ReadableDB, agentId: number): FitnessEvent[] {
  return db.prepare<unknown[], { value: number; at_interaction: number }>('SELECT value, at_interaction FROM feedback WHERE agent_id = ? ORDER BY id').all(agentId).map((e) => ({
    value: e.value,
    atInteraction: e.at_interaction,
  }));
}
