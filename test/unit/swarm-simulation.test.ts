// The swarm simulation (no model): reproducible from its seed, and over the generations the shared
// memory's hit rate and the fitness of the agents asked rise; a question's cost follows the
// circle's rules (rosters from at most 32 peers, three frames per member on a peer).
import { describe, expect, it } from 'vitest';
import { MAX_ROSTER_PEERS, rosterPeers } from '../../electron/swarm/roster.std';
import { simulateSwarm, type SwarmGenerationReport } from '../../electron/swarm/swarm-simulation.node';

const run = (seed: string, peers = 200) => [...simulateSwarm({ peers, agentsPerPeer: 20, generations: 10, questions: 400, k: 3, seed })];
const mean = (reports: SwarmGenerationReport[], key: keyof SwarmGenerationReport) => reports.reduce((sum, r) => sum + r[key], 0) / reports.length;

describe('the swarm simulation', () => {
  it('gives the same generations for the same seed, and others for another', () => {
    expect(run('demo')).toEqual(run('demo'));
    expect(run('other')).not.toEqual(run('demo'));
  });

  it('shows the shared memory helping more and fitter agents asked as generations pass', () => {
    const reports = run('demo');
    expect(reports).toHaveLength(10);
    const first = reports.slice(0, 2);
    const last = reports.slice(-3);
    expect(mean(last, 'hitRate')).toBeGreaterThan(mean(first, 'hitRate') + 0.05);
    expect(mean(last, 'memberFitness')).toBeGreaterThan(mean(first, 'memberFitness'));
    expect(mean(last, 'pickedQuality')).toBeGreaterThan(mean(first, 'pickedQuality'));
    expect(reports.at(-1)!.memories).toBe(4000);
    expect(reports.reduce((sum, r) => sum + r.divisions, 0)).toBeGreaterThan(0);
    expect(reports.at(-1)!.agents).toBeGreaterThan(4000);
  });

  it('costs two roster frames per peer asked (at most 32) and three frames per member on a peer', () => {
    // Three peers: the two others are asked; a member on a peer costs ask, answer and verdict.
    const three = run('demo', 3).at(-1)!;
    expect(three.messagesPerQuestion).toBeGreaterThanOrEqual(4);
    expect(three.messagesPerQuestion).toBeLessThanOrEqual(4 + 3 * 3);
    // Thirty peers: all 29 others are asked (none twice, none left out).
    const thirty = run('demo', 30).at(-1)!;
    expect(thirty.messagesPerQuestion).toBeGreaterThanOrEqual(2 * 29);
    expect(thirty.messagesPerQuestion).toBeLessThanOrEqual(2 * 29 + 3 * 3);
    const many = run('demo', 400).at(-1)!;
    expect(many.messagesPerQuestion).toBeGreaterThanOrEqual(2 * MAX_ROSTER_PEERS);
    expect(many.messagesPerQuestion).toBeLessThanOrEqual(2 * MAX_ROSTER_PEERS + 3 * 3);
  });
});

describe('the peers a council asks', () => {
  it('are all of them up to 32, else 32 distinct ones drawn at random', () => {
    const few = Array.from({ length: 10 }, (_, i) => i);
    expect(rosterPeers(few, Math.random)).toEqual(few);
    const many = Array.from({ length: 1000 }, (_, i) => i);
    const drawn = rosterPeers(many, Math.random);
    expect(drawn).toHaveLength(MAX_ROSTER_PEERS);
    expect(new Set(drawn).size).toBe(MAX_ROSTER_PEERS);
    // Uniform: over many draws every peer is asked about as often (32/1000 of the time).
    const counts = new Array<number>(1000).fill(0);
    for (let n = 0; n < 2000; n++) for (const p of rosterPeers(many, Math.random)) counts[p]!++;
    expect(Math.max(...counts)).toBeLessThan(130);
    expect(Math.min(...counts)).toBeGreaterThan(20);
  });
});
