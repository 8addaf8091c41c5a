// An agent bundle: one JSON file with an agent's seed chain, traits, memories and
// its lineage up to the root, that another LightSeed can import. Everything an
// agent is derives from its seeds, so the chain is checked link by link and the
// whole file carries a SHA-256 checksum: a malformed or tampered bundle is refused.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.std';
import { nextFreeName } from '../agents/profile.std';
import { insertAgents, type NewAgent } from './bulk-lineage.node';
import { agentUid, agentWithUid, ancestors, getAgent, LineageError, livingAgentNamed, seedChainOf, type Agent } from './lineage.node';
import { listMemories, MEMORY_DIMENSIONS } from './memories.node';
import type { ReadableDB, WritableDB } from './sql.node';

export const BUNDLE_FORMAT = 'lightseed.agent-bundle';
/** The version written: 2 is signed by the exporting installation (agents/bundle-signature.node.ts); 1, unsigned, is still read. */
export const BUNDLE_VERSION = 2;
const READ_VERSIONS: readonly unknown[] = [1, 2];

const Hex = z.string().regex(/^([0-9a-f]{2})*$/);

const BundledAgent = z.strictObject({
  uid: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().min(1).max(200),
  generation: z.number().int().nonnegative(),
  seedChain: Hex,
  traits: z.record(z.string(), z.number()),
  interactions: z.number().int().nonnegative(),
  totalInteractions: z.number().int().nonnegative(),
  fitness: z.number(),
  fitnessAt: z.number().int().nonnegative(),
  state: z.enum(['alive', 'archived']),
  bornAt: z.number(),
  archivedAt: z.number().nullable(),
});

const BundledMemory = z.strictObject({
  query: z.string(),
  response: z.string(),
  fitness: z.number(),
  createdAt: z.number(),
  lastUsedAt: z.number(),
  uses: z.number().int().nonnegative(),
  /** Little-endian float32 × 512, base64. */
  embedding: z.string().base64(),
});

const BundleBody = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  version: z.union([z.literal(1), z.literal(2)]),
  exportedAt: z.number(),
  agent: BundledAgent,
  /** From the root down to the agent's parent. */
  lineage: z.array(BundledAgent),
  memories: z.array(BundledMemory),
});

export const AgentBundle = BundleBody.extend({
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
  /** Version 2: the exporting installation's Ed25519 public key and its signature (checked by agents/bundle-signature.node.ts). */
  signer: z.string().optional(),
  signature: z.string().optional(),
});
export type AgentBundle = z.infer<typeof AgentBundle>;

export class BundleError extends Error {
  override readonly name = 'BundleError';
}

function bundled(agent: Agent, chain: Uint8Array): z.infer<typeof BundledAgent> {
  return {
    uid: agent.uid,
    name: agent.name,
    generation: agent.generation,
    seedChain: Buffer.from(chain).toString('hex'),
    traits: agent.traits,
    interactions: agent.interactions,
    totalInteractions: agent.totalInteractions,
    fitness: agent.fitness,
    fitnessAt: agent.fitnessAt,
    state: agent.state,
    bornAt: agent.bornAt,
    archivedAt: agent.archivedAt,
  };
}

function checksum(body: z.infer<typeof BundleBody>): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export function exportBundle(db: ReadableDB, agentId: number, exportedAt: number): AgentBundle {
  const agent = getAgent(db, agentId);
  if (!agent) throw new BundleError(`There is no agent ${agentId}.`);
  const lineage = ancestors(db, agentId).reverse();
  const chain = seedChainOf(db, agentId);
  const embeddings = db.prepare<unknown[], { rowid: number; embedding: Buffer }>('SELECT rowid, embedding FROM memory_vec WHERE agent_id = ?').all(BigInt(agentId));
  const embeddingOf = new Map(embeddings.map((e) => [Number(e.rowid), e.embedding]));
  const body: z.infer<typeof BundleBody> = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt,
    agent: bundled(agent, chain),
    // Root first; each chain is its parent's plus one seed.
    lineage: lineage.map((a, i) => bundled(a, chain.subarray(0, 32 * (i + 1)))),
    memories: listMemories(db, agentId).map((m) => ({
      query: m.query,
      response: m.response,
      fitness: m.fitness,
      createdAt: m.createdAt,
      lastUsedAt: m.lastUsedAt,
      uses: m.uses,
      embedding: Buffer.from(embeddingOf.get(m.id) ?? new Uint8Array(MEMORY_DIMENSIONS * 4)).toString('base64'),
    })),
  };
  return { ...body, checksum: checksum(body) };
}

/** Parses and verifies a bundle: shape, checksum, and the seed chain link by link. */
/** A bundle larger than this is refused before it is read (an agent's memories are capped far below it). */
export const MAX_BUNDLE_BYTES = 16 * 2 ** 20;

/** The bundle file's text: UTF-8, with or without the byte-order mark some editors write. */
export function decodeBundleText(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes); // drops a leading BOM
  } catch (error) {
    throw new BundleError(`${name} is not UTF-8 text, so it is not an agent bundle.`, { cause: error });
  }
}

export function verifyBundle(text: string): AgentBundle {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BundleError(`This is not an agent bundle: it is not JSON (${(error as Error).message}).`, { cause: error });
  }
  if ((json as { format?: unknown })?.format !== BUNDLE_FORMAT) throw new BundleError('This is not a LightSeed agent bundle (no "format": "lightseed.agent-bundle").');
  if (!READ_VERSIONS.includes((json as { version?: unknown }).version)) {
    throw new BundleError(`This bundle has version ${String((json as { version?: unknown }).version)}; this LightSeed reads versions ${READ_VERSIONS.join(' and ')}.`);
  }
  const parsed = AgentBundle.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new BundleError(`The bundle is malformed: ${where.join('; ')}.`);
  }
  const { checksum: claimed, signer, signature, ...body } = parsed.data;
  void [signer, signature];
  if (checksum(body) !== claimed) throw new BundleError('The bundle was changed after it was exported: its checksum does not match. It was not imported.');
  const chain = [...body.lineage, body.agent];
  chain.forEach((node, index) => {
    const seeds = Buffer.from(node.seedChain, 'hex');
    if (node.generation !== index) throw new BundleError(`Lineage entry ${index} (${node.name}) claims generation ${node.generation}.`);
    if (seeds.length !== 32 * (node.generation + 1)) throw new BundleError(`${node.name}'s seed chain has ${seeds.length} bytes; generation ${node.generation} needs ${32 * (node.generation + 1)}.`);
    if (agentUid(seeds) !== node.uid) throw new BundleError(`${node.name}'s uid does not match its seed chain.`);
    const parent = chain[index - 1];
    if (parent && !node.seedChain.startsWith(parent.seedChain)) throw new BundleError(`${node.name}'s seed chain does not extend its parent ${parent.name}'s.`);
  });
  for (const memory of body.memories) {
    if (Buffer.from(memory.embedding, 'base64').length !== MEMORY_DIMENSIONS * 4) throw new BundleError(`A memory's embedding is not ${MEMORY_DIMENSIONS} float32 values.`);
  }
  return parsed.data;
}

export interface ImportResult {
  agentId: number;
  /** Lineage members that were new here (the rest were already present). */
  created: number;
  /** Ancestors that came only with the bundle: their history is the bundle's claim, not this machine's record. */
  unverifiedAncestors: number;
  memories: number;
  /** Living agents given another name because a living agent here has theirs. */
  renamed: { from: string; to: string }[];
}

export interface ImportOptions {
  /**
   * A free name for a living agent whose name is taken by a living agent here or by one earlier in
   * the bundle (`taken` says which names are; the next numeral, "Ada II", unless told otherwise).
   */
  freeName?: (name: string, taken: (name: string) => boolean) => string;
  /** The bundle's signer, kept with every agent it brings (null: unsigned). */
  signer?: string | null;
}

/**
 * Imports a verified bundle in one transaction; agents already present (same uid) are reused.
 * The schema's constraints are the last line: a row they refuse is said in words.
 */
export function importBundle(db: WritableDB, bundle: AgentBundle, options: ImportOptions = {}): ImportResult {
  try {
    return importRows(db, bundle, options);
  } catch (error) {
    const cause = error instanceof LineageError && error.cause ? error.cause : error;
    const code = (cause as { code?: string }).code ?? '';
    if (!code.startsWith('SQLITE_CONSTRAINT')) throw error;
    const column = /(?:failed|constraint failed): (?:agent|memory)\.(\w+)/.exec((cause as Error).message)?.[1];
    throw new BundleError(
      `The bundle holds a value this database cannot keep${column ? ` (its ${column.replace(/_/g, ' ')})` : ''}: nothing was imported.`,
      { cause },
    );
  }
}

function importRows(db: WritableDB, bundle: AgentBundle, options: ImportOptions): ImportResult {
  const freeName = options.freeName ?? nextFreeName;
  return db.transaction(() => {
    const nodes = [...bundle.lineage, bundle.agent];
    // The line is root first, and a uid is the hash of the whole seed chain, so an agent here has
    // its parent here: what is already here is a beginning of the line, and the rest comes in as
    // one batch below it (a row edited by hand into a gap meets the uid's unique index).
    let present = 0;
    let parentId: number | null = null;
    for (const node of nodes) {
      const existing = agentWithUid(db, node.uid);
      if (!existing) break;
      parentId = existing.id;
      present++;
    }
    const arriving = nodes.slice(present);
    const namedInBatch = new Set<string>();
    const taken = (name: string) => namedInBatch.has(name) || livingAgentNamed(db, name) !== undefined;
    const renamed: { from: string; to: string }[] = [];
    const ids = insertAgents(
      db,
      arriving.map((node, i): NewAgent => {
        const name = node.state === 'alive' && taken(node.name) ? freeName(node.name, taken) : node.name;
        if (name !== node.name) renamed.push({ from: node.name, to: name });
        if (node.state === 'alive') namedInBatch.add(name);
        return {
          parent: i > 0 ? { index: i - 1 } : parentId === null ? null : { id: parentId },
          uid: node.uid,
          origin: 'imported',
          name,
          seed: Buffer.from(node.seedChain.slice(-64), 'hex'),
          traits: node.traits,
          interactions: node.interactions,
          totalInteractions: node.totalInteractions,
          fitness: node.fitness,
          fitnessAt: node.fitnessAt,
          state: node.state,
          bornAt: node.bornAt,
          archivedAt: node.archivedAt,
          signer: options.signer ?? null,
        };
      }),
    );
    const agentIsNew = arriving.length > 0;
    const agentId = agentIsNew ? ids.at(-1)! : parentId!;
    const created = arriving.length;
    const unverifiedAncestors = arriving.length - (agentIsNew ? 1 : 0);
    let memories = 0;
    if (agentIsNew) {
      const addMemory = db.prepare('INSERT INTO memory (agent_id, query, response, fitness, created_at, last_used_at, uses) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const addVector = db.prepare('INSERT INTO memory_vec (rowid, agent_id, embedding) VALUES (?, ?, ?)');
      for (const m of bundle.memories) {
        const id = Number(addMemory.run(agentId, m.query, m.response, m.fitness, m.createdAt, m.lastUsedAt, m.uses).lastInsertRowid);
        // Copy into a fresh buffer: a decoded Buffer may sit at an offset a Float32Array cannot start at.
        addVector.run(BigInt(id), BigInt(agentId), new Float32Array(new Uint8Array(Buffer.from(m.embedding, 'base64')).buffer));
        memories++;
      }
    }
    return { agentId, created, unverifiedAncestors, memories, renamed };
  })();
}
