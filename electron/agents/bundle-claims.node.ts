// What a bundle claims beyond its seed chain, checked before anything is written. The checksum
// only shows the file is whole, not that it is honest: anyone can change a trait and compute a
// new checksum. So everything the seed chain determines (every trait, the adapter rank) is
// derived again here and must match, every other value must lie in the range LightSeed itself
// can produce, and memories are capped at what an agent keeps.
import type { AgentBundle } from '../store/agent-bundle.node';
import { BundleError } from '../store/agent-bundle.node';
import { MEMORY_DIMENSIONS } from '../store/memories.node';
import { AGENT_NAME_MAX, MEMORIES_KEPT } from './profile.std';
import { traitsFromChain } from './traits.node';

/** Interactions an agent could plausibly have had: one a second for thirty years. */
const MAX_INTERACTIONS = 1e9;
/** Decayed feedback of at most ±1 per interaction stays within about τ (1000); ten times that is generous. */
const MAX_FITNESS = 1e4;
/** A memory's query or answer: far beyond any turn the app writes (answers are a few hundred tokens). */
const MAX_MEMORY_TEXT = 64 * 1024;
/** Clock skew tolerated between the exporting machine and this one. */
const CLOCK_SKEW_MS = 24 * 3600 * 1000;

type BundledAgent = AgentBundle['agent'];

export interface CheckedBundle {
  bundle: AgentBundle;
  /** Memories left out over the cap (the lowest by fitness). */
  droppedMemories: number;
}

function refuse(who: string, field: string, why: string): never {
  throw new BundleError(`The bundle's ${who} has ${field} ${why}. It was not imported.`);
}

function checkAgent(node: BundledAgent, label: string, exportedAt: number): void {
  const who = `${label} ${JSON.stringify(node.name)}`;
  if (node.name.trim() !== node.name || node.name.length > AGENT_NAME_MAX || /[\p{Cc}\p{Cf}]/u.test(node.name)) {
    refuse(label, 'a name', `that LightSeed does not give (at most ${AGENT_NAME_MAX} characters, no control characters or surrounding spaces)`);
  }
  const derived = traitsFromChain(Buffer.from(node.seedChain, 'hex'));
  const names = new Set([...Object.keys(derived), ...Object.keys(node.traits)]);
  for (const name of names) {
    const claimed = node.traits[name];
    const expected = derived[name];
    if (expected === undefined) refuse(who, `a trait "${name}"`, 'that no seed chain gives');
    if (claimed === undefined) refuse(who, `no trait "${name}"`, 'although its seed chain gives one');
    // Bit-for-bit in practice (the same code on the same seeds); the margin covers a libm's last bit.
    if (!(Math.abs(claimed - expected) <= 1e-9 * Math.max(1, Math.abs(expected)))) {
      refuse(who, `trait ${name} = ${claimed}`, `where its seed chain gives ${expected}: traits come from the seeds and cannot be edited`);
    }
  }
  if (node.totalInteractions > MAX_INTERACTIONS) refuse(who, `${node.totalInteractions} interactions`, `(more than ${MAX_INTERACTIONS})`);
  if (node.interactions > node.totalInteractions) refuse(who, `${node.interactions} interactions since its last division`, `but ${node.totalInteractions} in all`);
  if (node.fitnessAt > node.totalInteractions) refuse(who, `fitness as of interaction ${node.fitnessAt}`, `but ${node.totalInteractions} interactions in all`);
  if (!(Math.abs(node.fitness) <= MAX_FITNESS)) refuse(who, `fitness ${node.fitness}`, `(outside ±${MAX_FITNESS})`);
  if (!(node.bornAt > 0 && node.bornAt <= exportedAt + CLOCK_SKEW_MS)) refuse(who, `a birth time ${node.bornAt}`, 'outside the time before the export');
  if ((node.state === 'archived') !== (node.archivedAt !== null)) refuse(who, `state ${node.state}`, `with ${node.archivedAt === null ? 'no' : 'an'} archive time`);
  if (node.archivedAt !== null && !(node.archivedAt >= node.bornAt && node.archivedAt <= exportedAt + CLOCK_SKEW_MS)) {
    refuse(who, `an archive time ${node.archivedAt}`, 'before its birth or after the export');
  }
}

/** Checks every claim of a bundle whose shape, checksum and seed chain verifyBundle accepted. */
export function checkBundleClaims(bundle: AgentBundle, now = Date.now()): CheckedBundle {
  if (!(bundle.exportedAt > 0 && bundle.exportedAt <= now + CLOCK_SKEW_MS)) {
    throw new BundleError(`The bundle claims to be exported at ${bundle.exportedAt}, ${bundle.exportedAt > now ? 'in the future' : 'before 1970'}. It was not imported.`);
  }
  bundle.lineage.forEach((node, index) => checkAgent(node, index === bundle.lineage.length - 1 ? 'parent' : `ancestor of generation ${node.generation}`, bundle.exportedAt));
  checkAgent(bundle.agent, 'agent', bundle.exportedAt);
  bundle.memories.forEach((memory, index) => {
    const which = `memory ${index + 1}`;
    if (memory.query.length > MAX_MEMORY_TEXT || memory.response.length > MAX_MEMORY_TEXT) refuse(which, 'a text', `longer than ${MAX_MEMORY_TEXT} characters`);
    if (!(Math.abs(memory.fitness) <= MAX_FITNESS)) refuse(which, `fitness ${memory.fitness}`, `(outside ±${MAX_FITNESS})`);
    if (memory.uses > MAX_INTERACTIONS) refuse(which, `${memory.uses} uses`, `(more than ${MAX_INTERACTIONS})`);
    if (!(memory.createdAt > 0 && memory.lastUsedAt >= 0 && memory.createdAt <= bundle.exportedAt + CLOCK_SKEW_MS)) refuse(which, 'a time', 'outside the time before the export');
    const bytes = Buffer.from(memory.embedding, 'base64');
    if (bytes.length !== MEMORY_DIMENSIONS * 4) refuse(which, `an embedding of ${bytes.length} bytes`, `instead of ${MEMORY_DIMENSIONS} float32 values`);
    const vector = new Float32Array(new Uint8Array(bytes).buffer);
    if (!vector.every(Number.isFinite)) refuse(which, 'an embedding', 'with values that are not finite numbers');
  });
  if (bundle.memories.length <= MEMORIES_KEPT) return { bundle, droppedMemories: 0 };
  // An agent keeps its best memories (the store evicts the rest the same way): keep those.
  const kept = [...bundle.memories].sort((a, b) => b.fitness - a.fitness || b.lastUsedAt - a.lastUsedAt).slice(0, MEMORIES_KEPT);
  return { bundle: { ...bundle, memories: kept }, droppedMemories: bundle.memories.length - MEMORIES_KEPT };
}
