// The one API contract between the renderer and the main-process services.
// Served twice with the same wire protocol (protocol.std.ts): over Electron IPC
// through the preload, and over a WebSocket in browser mode. Every incoming
// payload is parsed against the schemas below before a handler sees it.
// Over 400 lines on purpose: every method's params and result in one table, so the
// whole API reads in one place and the compiler checks both ends against it.
import { z } from 'zod';
import { MAX_CARD_UPLOAD_BYTES } from '../cards/card-upload.std';
import { CatalogEntry } from '../catalog/catalog.std';
import { Settings } from '../settings/settings.std';
import type { RegisteredModel as StoredModel } from '../store/models.node';

/** Bumped when a method or event changes incompatibly. */
export const API_VERSION = 1;

// The settings' schema is the app's own (settings/settings.std.ts); the API serves it as it is.
export { Settings, Theme } from '../settings/settings.std';

export const RunMode = z.enum(['electron', 'browser', 'cli']);
export type RunMode = z.infer<typeof RunMode>;

const AppInfo = z.strictObject({
  name: z.literal('LightSeed'),
  version: z.string(),
  apiVersion: z.number().int(),
  mode: RunMode,
  platform: z.string(),
  dataDir: z.string(),
  database: z.strictObject({
    path: z.string(),
    schemaVersion: z.number().int().nonnegative(),
    journalMode: z.string(),
  }),
  startedAt: z.number(),
});
export type AppInfo = z.infer<typeof AppInfo>;

const NoParams = z.strictObject({});

const SourceKind = z.enum(['jitter', 'rtltcp', 'serial', 'audio', 'wav', 'file']);

/** A source the user can harvest from, as `sources.list` finds it. */
export const SourceDescription = z.strictObject({
  uri: z.string(),
  kind: SourceKind,
  label: z.string(),
  /** Extra facts: port, USB IDs, sample rate. */
  detail: z.string().optional(),
  /** Something to know, e.g. that per-second Geiger counts carry under 1 bit/s. */
  note: z.string().optional(),
});
export type SourceDescription = z.infer<typeof SourceDescription>;

export const StoredAssessment = z.strictObject({
  deviceId: z.string(),
  bitsPerSample: z.number().int(),
  /** Credited per sample: the estimate, halved while provisional. */
  minEntropy: z.number(),
  assessedMinEntropy: z.number(),
  samples: z.number().int(),
  provisional: z.boolean(),
  assessedAt: z.number(),
  limitedBy: z.string(),
  hOriginal: z.number(),
  hBitstring: z.number().nullable(),
  /** Set when the source's cap, not the estimate, decided `minEntropy`. */
  cappedBy: z.strictObject({ bitsPerSample: z.number(), reason: z.string() }).optional(),
});

export const HealthStatus = z.strictObject({
  state: z.enum(['startup', 'ok', 'failed']),
  samplesTested: z.number().int(),
  windowsPassed: z.number().int(),
  rct: z.strictObject({ cutoff: z.number().int(), longestRun: z.number().int() }),
  apt: z.strictObject({ cutoff: z.number().int(), windowSize: z.number().int(), highestCount: z.number().int() }),
  failure: z.string().optional(),
});

export const HarvestPhase = z.enum(['idle', 'opening', 'calibrating', 'assessing', 'harvesting', 'done', 'failed']);

export const HarvestStatus = z.strictObject({
  phase: HarvestPhase,
  uri: z.string().nullable(),
  source: z.strictObject({ kind: SourceKind, description: z.string(), note: z.string().optional() }).nullable(),
  calibration: z.strictObject({ samples: z.number().int(), target: z.number().int(), rate: z.number() }).nullable(),
  assessing: z.strictObject({ done: z.number().int(), total: z.number().int() }).nullable(),
  assessment: StoredAssessment.nullable(),
  health: HealthStatus.nullable(),
  /** Bits in the pool, this harvest's and earlier ones'. */
  creditedBits: z.number(),
  targetBits: z.number(),
  bitsPerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  /** What went wrong, or the seed that came out. */
  message: z.string().nullable(),
  genesisId: z.number().int().nullable(),
});
export type HarvestStatus = z.infer<typeof HarvestStatus>;

export const GenesisSummary = z.strictObject({
  id: z.number().int(),
  seedHex: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number(),
  creditedBits: z.number(),
  source: z.string(),
});
export type GenesisSummary = z.infer<typeof GenesisSummary>;

export const RegisteredModel = z.strictObject({
  id: z.number().int(),
  path: z.string(),
  name: z.string(),
  architecture: z.string(),
  parameterCount: z.number().int(),
  types: z.record(z.string(), z.number().int()),
  contextLength: z.number().int(),
  chatTemplate: z.string().nullable(),
  sha256: z.string(),
  size: z.number().int(),
  warnings: z.array(z.string()),
  isDefault: z.boolean(),
  addedAt: z.number(),
  /** Whether its large matrices are 1-bit or ternary (TQ1_0, TQ2_0, Q1_0, Q2_0). */
  oneBit: z.boolean(),
  /** Bits per weight over the file's tensors, null for models registered before it was measured. */
  bitsPerWeight: z.number().nullable(),
  /** The type most of its large matrices use. */
  weightType: z.string().nullable(),
  /** The feed-forward activation where the file or LightSeed knows it (silu, relu2). */
  activation: z.string().nullable(),
  /** Routed experts (mixture-of-experts models), 0 for dense ones. */
  expertCount: z.number().int(),
  /** The file the user added, when LightSeed wrote this runnable copy of it. */
  convertedFrom: z.string().nullable(),
  /** What the conversion did, in words. */
  conversion: z.string().nullable(),
  /** Mean generation speed of its last 50 answers, or null before the first. */
  tokensPerSecond: z.number().nullable(),
  /** Decoding speed at each thread count, measured when it first loaded on `machine` with that llama.cpp build. */
  threadSpeeds: z
    .strictObject({
      machine: z.string(),
      build: z.enum(['lightseed', 'prebuilt']),
      /** The count chosen from them: the fewest threads within 5% of the fastest. */
      threads: z.number().int().positive(),
      speeds: z.array(z.strictObject({ threads: z.number().int().positive(), tokensPerSecond: z.number() })),
    })
    .nullable(),
});
export type RegisteredModel = z.infer<typeof RegisteredModel>;
// The store's row shape and the API's are one: this fails to compile the day they drift.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameModelShape: Same<RegisteredModel, StoredModel> = true;
void sameModelShape;

/** A catalog model's download: the file arriving, then checked, converted where needed and registered. */
export const DownloadStatus = z.strictObject({
  name: z.string(),
  /** adding: validated, converted where the format needs it, tried by llama.cpp, registered. */
  state: z.enum(['downloading', 'paused', 'adding', 'done', 'failed', 'cancelled']),
  downloaded: z.number(),
  total: z.number(),
  bytesPerSecond: z.number(),
  secondsLeft: z.number().nullable(),
  /** What happened, in words: why it paused or failed, what was kept or removed. */
  message: z.string().nullable(),
  /** The registered model once done. */
  modelId: z.number().int().nullable(),
});
export type DownloadStatus = z.infer<typeof DownloadStatus>;

/** A catalog entry as the catalog defines it, with what this installation knows about it. */
export const CatalogItem = CatalogEntry.extend({
  /** Memory it needs loaded, roughly: weights, KV cache at the context LightSeed uses, compute buffers. */
  memoryBytes: z.number(),
  /** The registered model made from it, if it was got before. */
  modelId: z.number().int().nullable(),
  /** Bytes of an unfinished download kept on disk. */
  partialBytes: z.number(),
  download: DownloadStatus.nullable(),
});
export type CatalogItem = z.infer<typeof CatalogItem>;

export const GenerationStats = z.strictObject({
  tokens: z.number().int(),
  promptTokens: z.number().int(),
  timeToFirstTokenMs: z.number(),
  tokensPerSecond: z.number(),
  stopReason: z.enum(['eos', 'stop', 'maxTokens', 'aborted']),
  droppedTurns: z.number().int(),
});

export const AgentSummary = z.strictObject({
  id: z.number().int(),
  uid: z.string(),
  name: z.string(),
  generation: z.number().int(),
  parentId: z.number().int().nullable(),
  rootId: z.number().int(),
  /** The Genesis record a root was born from. */
  genesisId: z.number().int().nullable(),
  state: z.enum(['alive', 'archived']),
  /** Decayed to now. */
  fitness: z.number(),
  /** Interactions since the last division. */
  interactions: z.number().int(),
  /** Interactions left before it divides, at its current fitness. */
  untilDivision: z.number().int(),
  totalInteractions: z.number().int(),
  descendants: z.number().int(),
  bornAt: z.number(),
  lastActiveAt: z.number(),
  archivedAt: z.number().nullable(),
  /** Trait name → value in (0, 1); voice.rank is the adapter's rank. */
  traits: z.record(z.string(), z.number()),
  /** Born or divided elsewhere: 'imported'; here: 'born' or 'divided'. */
  origin: z.enum(['born', 'divided', 'imported']),
  /** For an imported agent: the public key of the installation that signed its bundle (null: unsigned, or not imported). */
  signer: z.string().nullable(),
  /** Where it lives when that is a peer of the circle (a child placed there, or an ancestor that came from there); null: here. */
  home: z.strictObject({ peer: z.string(), name: z.string() }).nullable(),
});
export type AgentSummary = z.infer<typeof AgentSummary>;

const AgentRef = z.strictObject({ id: z.number().int(), name: z.string(), generation: z.number().int(), state: z.enum(['alive', 'archived']) });

export const AgentDetail = z.strictObject({
  agent: AgentSummary,
  /** The system prompt's persona, from the intent. */
  persona: z.string(),
  /** The sampling profile its temperament gives it (what its turns use, not llama.cpp's defaults). */
  profile: z.strictObject({
    temperature: z.number(),
    topP: z.number(),
    topK: z.number().int(),
    minP: z.number(),
    repeatPenalty: z.number(),
    repeatLastN: z.number().int(),
    adapterScale: z.number(),
    noiseScale: z.number(),
    maxTokens: z.number().int(),
  }),
  ancestors: z.array(AgentRef),
  children: z.array(AgentRef),
  memories: z.number().int(),
  /** Fitness after each feedback, by the agent's interaction count (the last 200). */
  fitnessHistory: z.array(z.strictObject({ interaction: z.number().int(), fitness: z.number() })),
  /** RMS of the adapter's drift from the lineage root's, relative to the weights' RMS. */
  adapterDrift: z.number(),
});
export type AgentDetail = z.infer<typeof AgentDetail>;

const Traffic = z.strictObject({ messagesIn: z.number().int(), bytesIn: z.number().int(), messagesOut: z.number().int(), bytesOut: z.number().int() });

/** The circle this installation is in, its peers, and which agents live where. */
export const SwarmStatus = z.strictObject({
  /** This installation's public key; null outside a circle (looking creates no identity). */
  self: z.string().nullable(),
  circle: z.strictObject({ inviter: z.string(), joinedAt: z.number(), capacity: z.number().int(), placeChildren: z.boolean() }).nullable(),
  running: z.boolean(),
  peers: z.array(
    z.strictObject({
      publicKey: z.string(),
      name: z.string(),
      capacity: z.number().int(),
      online: z.boolean(),
      lastSeen: z.number(),
      removed: z.boolean(),
      /** Since this installation connected. */
      traffic: Traffic,
    }),
  ),
  /** Agents of this installation living on peers. */
  abroad: z.array(z.strictObject({ agentId: z.number().int(), name: z.string(), peer: z.string(), peerName: z.string(), state: z.enum(['committed', 'born']) })),
  /** Agents living here for peers. */
  hosted: z.array(z.strictObject({ agentId: z.number().int(), name: z.string(), peer: z.string(), peerName: z.string() })),
  /** Transfers not yet settled either way. */
  pending: z.array(z.strictObject({ key: z.string(), direction: z.enum(['out', 'in']), peer: z.string(), state: z.string() })),
});
export type SwarmStatus = z.infer<typeof SwarmStatus>;

/** A peer's agent's answer to a council asked here. */
export const CircleAnswerView = z.strictObject({
  id: z.number().int(),
  questionId: z.number().int(),
  peer: z.string(),
  peerName: z.string(),
  agentName: z.string(),
  fitness: z.number(),
  state: z.enum(['asked', 'answered', 'failed']),
  content: z.string().nullable(),
  reason: z.string().nullable(),
  verdict: z.number().nullable(),
});
export type CircleAnswerView = z.infer<typeof CircleAnswerView>;

/** A world info entry as the Agents view edits it (the card's other entry fields are kept as they were). */
export const WorldInfoEntryEdit = z.strictObject({
  keys: z.array(z.string().max(200)).max(50),
  secondaryKeys: z.array(z.string().max(200)).max(50),
  content: z.string().max(20_000),
  enabled: z.boolean(),
  constant: z.boolean(),
  selective: z.boolean(),
  insertionOrder: z.number().int().min(-1_000_000).max(1_000_000),
  priority: z.number().int().min(-1_000_000).max(1_000_000).nullable(),
  position: z.enum(['before_char', 'after_char']),
  name: z.string().max(200),
});
export type WorldInfoEntryEdit = z.infer<typeof WorldInfoEntryEdit>;

/** The character card an agent speaks with, as the Agents view shows it. */
export const AgentCardView = z.strictObject({
  spec: z.enum(['chara_card_v1', 'chara_card_v2', 'chara_card_v3']),
  /** The file it came from. */
  source: z.string(),
  /** The agent that got the card (an ancestor when this agent speaks with its line's card). */
  ownerId: z.number().int(),
  name: z.string(),
  description: z.string(),
  personality: z.string(),
  scenario: z.string(),
  creator: z.string(),
  tags: z.array(z.string()),
  /** The system prompt the card makes (with its constant world info), and its greeting. */
  systemPrompt: z.string(),
  greeting: z.string(),
  /** Every greeting a conversation may open with: the first message, then the alternate greetings. */
  greetings: z.array(z.string()),
  worldInfo: z.array(WorldInfoEntryEdit),
});
export type AgentCardView = z.infer<typeof AgentCardView>;

/** A card file's bytes as base64 (a PNG the window made smaller when its picture was large). */
const CARD_BASE64_MAX = Math.ceil(MAX_CARD_UPLOAD_BYTES / 3) * 4;

export const ChatMessage = z.strictObject({
  id: z.number().int(),
  conversationId: z.number().int(),
  parentId: z.number().int().nullable(),
  role: z.enum(['system', 'user', 'assistant']),
  agentId: z.number().int().nullable(),
  content: z.string(),
  model: z.string().nullable(),
  tokenCount: z.number().int().nullable(),
  tokensPerSecond: z.number().nullable(),
  kind: z.enum(['chat', 'regeneration', 'council']),
  createdAt: z.number(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A memory recalled for an answer: the agent's own, or one a peer shared (`from`: its agent and home; its id is negative). */
const RecalledMemory = z.strictObject({ id: z.number().int(), query: z.string(), response: z.string(), distance: z.number(), fitness: z.number(), from: z.string().nullable() });

/** A world info entry of the agent's card that the conversation put into the prompt, and why. */
const UsedWorldInfo = z.strictObject({ label: z.string(), reason: z.string() });

/** The full provenance record (its shape is GenesisRecord in native-bridge/harvest). */
const GenesisRecordJson = z.record(z.string(), z.unknown());


/** Method name → schemas of its params and result. */
export const methods = {
  /** What is running, where its data lives and which schema the database has. */
  'app.info': { params: NoParams, result: AppInfo },
  /** Echo for liveness checks and latency measurement. */
  'app.ping': {
    params: z.strictObject({ nonce: z.string().min(1).max(128) }),
    result: z.strictObject({ nonce: z.string(), serverTime: z.number() }),
  },
  /** User preferences, stored in the database. */
  'settings.get': { params: NoParams, result: Settings },
  /** Changes some preferences; returns all of them after the change. */
  'settings.update': { params: Settings.partial(), result: Settings },
  /** Noise sources attached or configured: CPU jitter, serial devices, audio inputs, rtl_tcp endpoints. */
  'sources.list': { params: NoParams, result: z.strictObject({ sources: z.array(SourceDescription) }) },
  /** Starts a Genesis harvest; progress comes as harvest.* events. One harvest at a time. */
  'harvest.start': {
    params: z.strictObject({
      uri: z.string().min(1).max(1000),
      /** Samples to assess a new device with; fewer than 1,000,000 gives a provisional estimate. */
      calibrationSamples: z.number().int().min(10_000).max(10_000_000).optional(),
    }),
    result: HarvestStatus,
  },
  /** Stops the running harvest; what it credited stays in the pool. */
  'harvest.stop': { params: NoParams, result: HarvestStatus },
  'harvest.status': { params: NoParams, result: HarvestStatus },
  'genesis.list': {
    params: z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }),
    result: z.strictObject({ genesis: z.array(GenesisSummary), poolBits: z.number() }),
  },
  'models.list': { params: NoParams, result: z.strictObject({ models: z.array(RegisteredModel) }) },
  /** Validates a GGUF file and registers it; an unusable file is refused with the problem in words. */
  'models.add': { params: z.strictObject({ path: z.string().min(1).max(4096) }), result: RegisteredModel },
  'models.remove': { params: z.strictObject({ id: z.number().int().positive() }), result: z.strictObject({ removed: z.boolean() }) },
  'models.setDefault': { params: z.strictObject({ id: z.number().int().positive() }), result: RegisteredModel },
  /** Known 1-bit models to get, with what each needs; no network is used to list them. */
  'models.catalog': { params: NoParams, result: z.strictObject({ entries: z.array(CatalogItem), source: z.string() }) },
  /**
   * Downloads a catalog model (or resumes its paused download), checks it, converts it where needed,
   * registers it and makes it the default; progress arrives as models.download events.
   */
  'models.get': { params: z.strictObject({ name: z.string().min(1).max(64), from: z.string().min(1).max(4096).optional() }), result: DownloadStatus },
  /** Pauses a download; what arrived stays on disk for models.get to resume. */
  'models.pause': { params: z.strictObject({ name: z.string().min(1).max(64) }), result: DownloadStatus },
  /** Stops a download or a paused one and removes what arrived. */
  'models.cancel': { params: z.strictObject({ name: z.string().min(1).max(64) }), result: DownloadStatus },
  /** Generates with the default model; tokens arrive as generate.token events, the end as generate.done. */
  'generate.start': {
    params: z.strictObject({
      messages: z
        .array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(100_000) }))
        .min(1)
        .max(1000),
      maxTokens: z.number().int().min(1).max(4096).optional(),
      temperature: z.number().min(0).max(5).optional(),
    }),
    result: z.strictObject({ generationId: z.number().int() }),
  },
  'generate.stop': { params: z.strictObject({ generationId: z.number().int() }), result: z.strictObject({ stopping: z.boolean() }) },
  'genesis.get': {
    params: z.strictObject({ id: z.number().int().positive() }),
    result: z.strictObject({ summary: GenesisSummary, record: GenesisRecordJson }),
  },
  /** A new agent from an unused Genesis record (a seed gives birth once). */
  'agents.birth': {
    params: z.strictObject({ genesisId: z.number().int().positive(), name: z.string().min(1).max(60).optional() }),
    result: AgentSummary,
  },
  'agents.list': {
    params: z.strictObject({ state: z.enum(['alive', 'archived']).optional(), limit: z.number().int().min(1).max(10_000).optional(), offset: z.number().int().min(0).optional() }),
    result: z.strictObject({ agents: z.array(AgentSummary), total: z.number().int() }),
  },
  'agents.get': { params: z.strictObject({ id: z.number().int().positive() }), result: AgentDetail },
  /** A user message to an agent; the answer streams as chat.token events and ends with chat.done. */
  'chat.say': {
    params: z.strictObject({
      agentId: z.number().int().positive(),
      text: z.string().min(1).max(20_000),
      conversationId: z.number().int().positive().optional(),
      parentId: z.number().int().positive().nullable().optional(),
      /** For a new conversation with an agent whose card has several greetings: which one opens it (0, the first message, by default). */
      greeting: z.number().int().min(0).max(1000).optional(),
    }),
    result: z.strictObject({ turnId: z.number().int(), conversationId: z.number().int(), userMessageId: z.number().int() }),
  },
  /** Another answer to the same question: a sibling branch. */
  'chat.regenerate': { params: z.strictObject({ messageId: z.number().int().positive() }), result: z.strictObject({ turnId: z.number().int() }) },
  'chat.stop': { params: z.strictObject({ turnId: z.number().int() }), result: z.strictObject({ stopping: z.boolean() }) },
  'chat.feedback': {
    params: z.strictObject({ messageId: z.number().int().positive(), kind: z.enum(['up', 'down']) }),
    result: z.strictObject({ fitness: z.number(), archived: z.boolean(), childId: z.number().int().nullable() }),
  },
  /** A question to k agents chosen by fitness; each answer streams as its own turn. */
  'chat.council': {
    params: z.strictObject({
      text: z.string().min(1).max(20_000),
      k: z.number().int().min(1).max(8),
      conversationId: z.number().int().positive().optional(),
      parentId: z.number().int().positive().nullable().optional(),
    }),
    result: z.strictObject({ conversationId: z.number().int(), userMessageId: z.number().int(), agentIds: z.array(z.number().int()) }),
  },
  /** The user's pick among council answers: feedback for every member. */
  'chat.pick': { params: z.strictObject({ messageId: z.number().int().positive() }), result: z.strictObject({ pickedId: z.number().int(), otherIds: z.array(z.number().int()) }) },
  /** The swarm: the circle, its peers, which agents live where. */
  'swarm.status': { params: NoParams, result: SwarmStatus },
  /** Makes a circle if there is none and returns an invite code to it; connects. */
  'swarm.invite': { params: NoParams, result: z.strictObject({ code: z.string() }) },
  /** Joins the circle of an invite code; connects. */
  'swarm.join': { params: z.strictObject({ code: z.string().min(1).max(400) }), result: z.strictObject({ inviter: z.string() }) },
  /** Disconnects and forgets the circle's code. */
  'swarm.leave': { params: NoParams, result: z.strictObject({ left: z.boolean() }) },
  /** Refuses a peer's key from now on. */
  'swarm.remove': { params: z.strictObject({ peer: z.string().min(1).max(64) }), result: z.strictObject({ removed: z.literal(true) }) },
  /** How many agents this installation hosts for its peers, and whether its children may be placed on peers. */
  'swarm.settings': {
    params: z.strictObject({ capacity: z.number().int().min(0).max(1000).optional(), placeChildren: z.boolean().optional() }),
    result: SwarmStatus,
  },
  /** A question to k agents across the circle; local answers stream as chat turns, peers' arrive as swarm.answer. */
  'swarm.council': {
    params: z.strictObject({
      text: z.string().min(1).max(4000),
      k: z.number().int().min(1).max(8),
      conversationId: z.number().int().positive().optional(),
      parentId: z.number().int().positive().nullable().optional(),
    }),
    result: z.strictObject({ conversationId: z.number().int(), userMessageId: z.number().int(), agentIds: z.array(z.number().int()), answers: z.array(CircleAnswerView) }),
  },
  /** The peers' answers to a council asked here. */
  'swarm.answers': { params: z.strictObject({ questionId: z.number().int().positive() }), result: z.strictObject({ answers: z.array(CircleAnswerView) }) },
  /** The pick among a circle council's answers: a local answer's message, or a peer's answer. */
  'swarm.pick': {
    params: z.union([z.strictObject({ messageId: z.number().int().positive() }), z.strictObject({ answerId: z.number().int().positive() })]),
    result: z.strictObject({ picked: z.string(), others: z.array(z.string()) }),
  },
  /** The family tree in columns (parents before children), for drawing thousands of agents. */
  'lineage.tree': {
    params: z.strictObject({
      rootId: z.number().int().positive().optional(),
      /** A trait to colour by, e.g. "temperament.arousal". */
      trait: z.string().regex(/^[a-z]+\.[a-z]+$/).optional(),
    }),
    result: z.strictObject({
      ids: z.array(z.number().int()),
      parentIds: z.array(z.number().int()),
      generations: z.array(z.number().int()),
      fitness: z.array(z.number()),
      archived: z.array(z.number().int()),
      names: z.array(z.string()),
      trait: z.array(z.number()).nullable(),
      /** Agents that live on a peer of the circle: agent id → the peer's name. */
      homes: z.record(z.string(), z.string()),
    }),
  },
  /** Per-generation fitness and trait statistics, and (for one lineage) clade sizes over time for a Muller plot. */
  'lineage.stats': {
    params: z.strictObject({ rootId: z.number().int().positive().optional() }),
    result: z.strictObject({
      generations: z.array(
        z.strictObject({
          generation: z.number().int(),
          count: z.number().int(),
          meanFitness: z.number(),
          maxFitness: z.number(),
          traits: z.record(z.string(), z.strictObject({ mean: z.number(), sd: z.number() })),
        }),
      ),
      clades: z
        .strictObject({
          clades: z.array(z.strictObject({ id: z.number().int(), name: z.string() })),
          times: z.array(z.number()),
          sizes: z.array(z.array(z.number().int())),
        })
        .nullable(),
    }),
  },
  /** A lineage as Newick or as ALife phylogeny CSV, for saving. */
  'lineage.export': {
    params: z.strictObject({ rootId: z.number().int().positive(), format: z.enum(['newick', 'csv']) }),
    result: z.strictObject({ text: z.string(), fileName: z.string() }),
  },
  /** A conversation as Markdown or JSON: the branch ending at leafId (default: its newest message), or the whole tree. */
  'chat.export': {
    params: z.strictObject({
      conversationId: z.number().int().positive(),
      leafId: z.number().int().positive().optional(),
      scope: z.enum(['branch', 'tree']),
      format: z.enum(['markdown', 'json']),
    }),
    result: z.strictObject({ text: z.string(), fileName: z.string() }),
  },
  /** A character card (PNG, JSON or CHARX) as an agent: born from a Genesis record, or the agent a LightSeed card carries. */
  'cards.import': {
    params: z.strictObject({
      fileName: z.string().min(1).max(255),
      base64: z.string().min(1).max(CARD_BASE64_MAX),
      genesisId: z.number().int().positive().optional(),
      name: z.string().min(1).max(60).optional(),
    }),
    result: z.strictObject({
      agent: AgentSummary,
      via: z.enum(['born', 'bundle', 'already-here']),
      spec: z.enum(['chara_card_v1', 'chara_card_v2', 'chara_card_v3']),
      renamedFrom: z.string().nullable(),
    }),
  },
  /** The card an agent speaks with, or null. */
  'cards.get': { params: z.strictObject({ agentId: z.number().int().positive() }), result: z.strictObject({ card: AgentCardView.nullable() }) },
  /** The agent as a V3 PNG card, base64, for saving. */
  'cards.export': { params: z.strictObject({ agentId: z.number().int().positive() }), result: z.strictObject({ base64: z.string(), fileName: z.string() }) },
  /** Adds a lorebook file's entries (SillyTavern's world info JSON, or the card spec's lorebook) to the agent's world info. */
  'cards.addLorebook': {
    params: z.strictObject({ agentId: z.number().int().positive(), fileName: z.string().min(1).max(255), base64: z.string().min(1).max(CARD_BASE64_MAX) }),
    result: z.strictObject({ card: AgentCardView, added: z.number().int() }),
  },
  /** Replaces the world info entries of the agent's card (an agent speaking with an ancestor's card gets its own copy). */
  'cards.setWorldInfo': {
    params: z.strictObject({ agentId: z.number().int().positive(), entries: z.array(WorldInfoEntryEdit).max(500) }),
    result: z.strictObject({ card: AgentCardView }),
  },
  /** The thread from the first message to `leafId`, and each message's siblings (for swipes). */
  'chat.thread': {
    params: z.strictObject({ leafId: z.number().int().positive() }),
    result: z.strictObject({ messages: z.array(ChatMessage), siblings: z.record(z.string(), z.array(z.number().int())) }),
  },
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>;

/** Event name → schema of its payload. Clients subscribe by name. */
export const events = {
  /** Sent every few seconds so a client can tell a live link from a dead one. */
  'app.heartbeat': z.strictObject({ serverTime: z.number(), uptimeMs: z.number() }),
  /** Sent after any client changed a setting. */
  'settings.changed': Settings,
  /** The harvest's state, at most every 100 ms while it runs and at every phase change. */
  'harvest.progress': HarvestStatus,
  /** Raw samples as they arrive (a slice, at most every 100 ms), for the live scope. */
  'harvest.samples': z.strictObject({ bitsPerSample: z.number().int(), samples: z.array(z.number().int()).max(4096) }),
  /** A download's progress (at most four times a second) and each change of its state. */
  'models.download': DownloadStatus,
  'generate.token': z.strictObject({ generationId: z.number().int(), text: z.string() }),
  'generate.done': z.union([
    z.strictObject({ generationId: z.number().int(), ok: z.literal(true), text: z.string(), stats: GenerationStats }),
    z.strictObject({ generationId: z.number().int(), ok: z.literal(false), message: z.string() }),
  ]),
  'chat.token': z.strictObject({ turnId: z.number().int(), agentId: z.number().int(), text: z.string() }),
  'chat.done': z.union([
    z.strictObject({
      turnId: z.number().int(),
      agentId: z.number().int(),
      ok: z.literal(true),
      message: ChatMessage,
      stats: GenerationStats,
      recalled: z.array(RecalledMemory),
      worldInfo: z.array(UsedWorldInfo),
      noise: z.strictObject({ adapter: z.number().int(), scale: z.number() }),
      childId: z.number().int().nullable(),
    }),
    z.strictObject({ turnId: z.number().int(), agentId: z.number().int(), ok: z.literal(false), message: z.string() }),
  ]),
  /** An agent divided: "Ada divided: meet Ada II". */
  'agent.divided': z.strictObject({ parentId: z.number().int(), parentName: z.string(), childId: z.number().int(), childName: z.string(), generation: z.number().int() }),
  /** The circle changed: a peer came or went, an agent moved. */
  'swarm.changed': z.strictObject({ peers: z.number().int(), online: z.number().int() }),
  /** A peer's agent answered a council asked here (or its answer was given up). */
  'swarm.answer': CircleAnswerView,
  /** A health test fired: crediting stopped. */
  'harvest.alarm': z.strictObject({
    test: z.enum(['repetition-count', 'adaptive-proportion']),
    message: z.string(),
    sampleIndex: z.number().int(),
    windowIndex: z.number().int(),
    observed: z.number().int(),
    cutoff: z.number().int(),
  }),
} as const satisfies Record<string, z.ZodType>;

type Methods = typeof methods;
type Events = typeof events;

export type MethodName = keyof Methods;
export type EventName = keyof Events;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(methods, value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(events, value);
}
