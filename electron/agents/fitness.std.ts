// An agent's fitness: the sum of its feedback values, each decayed exponentially with the
// interactions since it was given, f = Σ v·e^(−(n − n_v)/τ), τ = 1000 (a thumbs-up counts for
// a third after a thousand more conversations). The store keeps one folded value valid at
// `fitnessAt`; this is the one place that decays it. SQL calls the same function as
// `decayed_fitness(fitness, fitness_at, total_interactions)`, registered on every connection
// (registerSchemaFunctions in store/migrations.node.ts; migration 0009 keeps each agent's decayed
// value in `fitness_now` through it).

/** τ_f: interactions over which feedback decays by e. */
export const FITNESS_TAU = 1000;

/** A fitness valid at interaction `fitnessAt`, decayed to interaction `now`. */
export function decayedFitness(fitness: number, fitnessAt: number, now: number, tau = FITNESS_TAU): number {
  return fitness * Math.exp(-(now - fitnessAt) / tau);
}

/** An agent's fitness now, from what the store keeps. */
export function currentFitness(agent: { fitness: number; fitnessAt: number; totalInteractions: number }, tau = FITNESS_TAU): number {
  return decayedFitness(agent.fitness, agent.fitnessAt, agent.totalInteractions, tau);
}

/** A feedback event as the fitness sees it: its value and the interaction it was given at. */
export interface FitnessEvent {
  value: number;
  atInteraction: number;
}

/**
 * The fitness right after each feedback event, from the inherited start (interaction 0) to
 * interaction `now`: what the agent's fitness chart draws.
 */
export function fitnessHistory(inherited: number, events: readonly FitnessEvent[], now: number, tau = FITNESS_TAU): { interaction: number; fitness: number }[] {
  const points = [{ interaction: 0, fitness: inherited }];
  let fitness = inherited;
  let at = 0;
  for (const e of events) {
    fitness = decayedFitness(fitness, at, e.atInteraction, tau) + e.value;
    at = e.atInteraction;
    points.push({ interaction: at, fitness });
  }
  points.push({ interaction: now, fitness: decayedFitness(fitness, at, now, tau) });
  return points;
}
