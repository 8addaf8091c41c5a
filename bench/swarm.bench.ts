// What a question across the circle costs on the wire at 3, 30 and 300 peers: the circle's real
// frames (rosters from at most 32 peers, asks, answers, verdicts), counted by the swarm simulation
// (100 agents per peer). Reference, in the same run: the naive circle that sends every question to
// every agent on every peer and takes back every answer. Ratio above 1: ours sends that many times
// fewer bytes.
import { expect, it } from 'vitest';
import { simulateSwarm } from '../electron/swarm/swarm-simulation.node';
import { encodeFrame } from '../electron/swarm/frames.std';

it('messages and bytes per question across the circle', () => {
  const ask = encodeFrame({ t: 'ask', key: 'ab'.repeat(16), agent: 'cd'.repeat(32), text: 'What should a lighthouse keeper know about the coming storm?' }).length;
  const answer = encodeFrame({ t: 'answer', key: 'ab'.repeat(16), text: 'a'.repeat(400) }).length;
  for (const peers of [3, 30, 300]) {
    const agentsPerPeer = 100;
    const reports = [...simulateSwarm({ peers, agentsPerPeer, generations: 2, questions: 500, k: 3, seed: 'bench' })];
    const last = reports.at(-1)!;
    const naiveMessages = 2 * (peers - 1) * agentsPerPeer;
    const naiveBytes = (peers - 1) * agentsPerPeer * (ask + answer);
    const line = `swarm question at ${peers} peers: ours ${last.messagesPerQuestion.toFixed(1)} messages, ${(last.bytesPerQuestion / 1024).toFixed(1)} KiB; reference (every agent asked) ${naiveMessages} messages, ${(naiveBytes / 1024).toFixed(1)} KiB; ratio ${(naiveBytes / last.bytesPerQuestion).toFixed(2)}`;
    console.log(line);
    expect(line).toMatch(/ratio \d/);
  }
}, 300_000);
