// The main-process services behind the API, shared by the Electron shell and
// browser mode: the database, the event hub and the handlers of every method.
import { join } from 'node:path';
import { version } from '../../package.json';
import { API_VERSION, type RunMode } from '../api/contract.std';
import { EventHub } from '../api/event-hub.std';
import { createRouter, type Handlers, type Router } from '../api/router.std';
import { Database } from '../store/database.node';
import { readSettings, writeSettings } from '../store/settings.node';
import { DisposedError } from '../../native-bridge/resource/disposed-error.std';
import { assessInThisThread, workerAssessor } from '../../native-bridge/estimators/assessors.node';
import type { BuildPaths } from '../paths/build-paths.node';
import { EntropyService } from './entropy-service.node';
import { InferenceService } from './inference-service.node';
import { ModelDownloads } from './model-downloads.node';
import { AgentService, type TurnResult } from './agent-service.node';
import { countAgents, getAgent, listAgents } from '../store/lineage.node';
import { lineageColumns } from '../store/lineage-tree.node';
import { newick, phylogenyCsv } from '../store/lineage-export.node';
import { cladeSizes, generationStats, type CladeSeries } from '../store/lineage-stats.node';
import { getMessage, replies, thread } from '../store/conversations.node';
import { ApiError } from '../api/api-error.std';
import type { EngineSpawner } from '../inference/engine-host.node';

export const APP_VERSION: string = version;
export const DATABASE_FILE = 'lightseed.db';

export interface AppServicesOptions {
  /** Folder holding the database and everything else LightSeed keeps. Created if missing. */
  dataDir: string;
  /** Which shell serves the API; reported by app.info. */
  mode: RunMode;
  /** Interval of the app.heartbeat event in milliseconds. Default 5000; 0 turns it off. */
  heartbeatMs?: number;
  /** Where internal errors are reported. Default: console.error. */
  log?: (message: string, error?: unknown) => void;
  /** The built app's parts; the entropy assessment runs in its worker. Without them it runs in this thread. */
  paths?: BuildPaths;
  /** How the inference engine process starts (Electron passes its utility-process spawner). */
  engineSpawner?: EngineSpawner;
  /** A better-sqlite3 addon built for this runtime instead of node_modules' (the Electron app in development). */
  sqliteBinding?: string;
}

export class AppServices implements AsyncDisposable {
  readonly hub: EventHub;
  readonly entropy: EntropyService;
  readonly inference: InferenceService;
  readonly downloads: ModelDownloads;
  readonly agents: AgentService;
  readonly router: Router;
  readonly startedAt = Date.now();
  #database: Database | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  private constructor(
    database: Database,
    readonly options: Required<Omit<AppServicesOptions, 'paths' | 'engineSpawner' | 'sqliteBinding'>> & Pick<AppServicesOptions, 'paths' | 'engineSpawner' | 'sqliteBinding'>,
  ) {
    this.#database = database;
    const log = options.log;
    this.hub = new EventHub((error, event) => log(`A listener of ${event} threw`, error));
    this.entropy = new EntropyService(database, this.hub, options.paths ? workerAssessor(options.paths.assessWorker) : assessInThisThread);
    this.inference = new InferenceService(database, this.hub, options.paths?.engineWorker, options.engineSpawner, options.paths?.embeddedModel, join(options.dataDir, 'models'));
    this.downloads = new ModelDownloads(this.hub, this.inference, { dir: join(options.dataDir, 'models', 'downloads') });
    this.agents = new AgentService(database, this.hub, this.inference, { adapterCacheDir: join(options.dataDir, 'adapters') });
    this.router = createRouter(this.#handlers(), (error, method) => log(`API method ${method} failed`, error));
    if (options.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => {
        this.hub.emit('app.heartbeat', { serverTime: Date.now(), uptimeMs: Date.now() - this.startedAt });
      }, options.heartbeatMs);
      this.#heartbeat.unref();
    }
  }

  static async create(options: AppServicesOptions): Promise<AppServices> {
    const full: AppServices['options'] = {
      heartbeatMs: 5000,
      log: (message, error) => console.error(`lightseed: ${message}`, error ?? ''),
      ...options,
    };
    const database = await Database.open({ path: join(full.dataDir, DATABASE_FILE), ...(full.sqliteBinding ? { nativeBinding: full.sqliteBinding } : {}) });
    return new AppServices(database, full);
  }

  get database(): Database {
    if (!this.#database) throw new DisposedError('AppServices');
    return this.#database;
  }

  #handlers(): Handlers {
    return {
      'app.info': () => ({
        name: 'LightSeed',
        version: APP_VERSION,
        apiVersion: API_VERSION,
        mode: this.options.mode,
        platform: `${process.platform}-${process.arch}`,
        dataDir: this.options.dataDir,
        database: { path: this.database.path, schemaVersion: this.database.schemaVersion, journalMode: this.database.journalMode },
        startedAt: this.startedAt,
      }),
      'app.ping': ({ nonce }) => ({ nonce, serverTime: Date.now() }),
      'settings.get': () => readSettings(this.database.connection),
      'settings.update': (change) => {
        const settings = writeSettings(this.database.connection, change);
        this.hub.emit('settings.changed', settings);
        return settings;
      },
      'sources.list': async () => ({ sources: await this.entropy.sources(readSettings(this.database.connection).rtltcpEndpoints) }),
      'harvest.start': (params) => this.entropy.start(params),
      'harvest.stop': () => this.entropy.stop(),
      'harvest.status': () => this.entropy.status,
      'genesis.list': ({ limit }) => this.entropy.listGenesis(limit),
      'genesis.get': ({ id }) => this.entropy.getGenesis(id),
      'models.list': () => ({ models: this.inference.list() }),
      'models.add': ({ path }) => this.inference.add(path),
      'models.remove': ({ id }) => ({ removed: this.inference.remove(id) }),
      'models.setDefault': ({ id }) => this.inference.setDefault(id),
      'models.catalog': async () => ({ entries: await this.downloads.catalog(), source: this.downloads.source }),
      'models.get': ({ name, from }) => this.downloads.start(name, { from }),
      'models.pause': ({ name }) => this.downloads.pause(name),
      'models.cancel': ({ name }) => this.downloads.cancel(name),
      'generate.start': async ({ messages, maxTokens, temperature }) => ({
        generationId: await this.inference.start(messages, { ...(maxTokens !== undefined ? { maxTokens } : {}), ...(temperature !== undefined ? { temperature } : {}) }),
      }),
      'generate.stop': ({ generationId }) => ({ stopping: this.inference.stop(generationId) }),
      'agents.birth': ({ genesisId, name }) => this.agents.summary(this.agents.birth(genesisId, name)),
      'agents.list': ({ state, limit, offset }) => ({
        agents: listAgents(this.database.connection, { ...(state ? { state } : {}), limit: limit ?? 1000, offset: offset ?? 0 }).map((a) => this.agents.summary(a)),
        total: countAgents(this.database.connection, state),
      }),
      'agents.get': ({ id }) => this.agents.detail(id),
      'chat.say': async ({ agentId, text, conversationId, parentId }) => {
        let turnId = 0;
        const turn = await this.agents.say(
          { agentId, text, ...(conversationId !== undefined ? { conversationId } : {}), ...(parentId !== undefined ? { parentId } : {}) },
          (t) => this.hub.emit('chat.token', { turnId, agentId, text: t }),
        );
        turnId = turn.id;
        this.#reportTurn(turn.id, agentId, turn.done);
        return { turnId, conversationId: turn.userMessage.conversationId, userMessageId: turn.userMessage.id };
      },
      'chat.regenerate': async ({ messageId }) => {
        let turnId = 0;
        const turn = await this.agents.regenerate(messageId, (t) => this.hub.emit('chat.token', { turnId, agentId: turn.agentId, text: t }));
        turnId = turn.id;
        this.#reportTurn(turn.id, turn.agentId, turn.done);
        return { turnId };
      },
      'chat.stop': ({ turnId }) => ({ stopping: this.agents.stop(turnId) }),
      'chat.feedback': async ({ messageId, kind }) => {
        const result = await this.agents.feedback(messageId, kind);
        return { fitness: result.fitness, archived: result.archived, childId: result.divided?.id ?? null };
      },
      'chat.council': async ({ text, k, conversationId, parentId }) => {
        const council = await this.agents.council(
          { text, k, ...(conversationId !== undefined ? { conversationId } : {}), ...(parentId !== undefined ? { parentId } : {}) },
          (turnId, agentId, t) => this.hub.emit('chat.token', { turnId, agentId, text: t }),
          (turn) => this.#reportTurn(turn.id, turn.agentId, turn.done),
        );
        council.done.catch((error: unknown) => this.options.log('A council stopped early', error));
        return { conversationId: council.userMessage.conversationId, userMessageId: council.userMessage.id, agentIds: council.members.map((m) => m.id) };
      },
      'chat.pick': ({ messageId }) => {
        const { picked, others } = this.agents.pick(messageId);
        return { pickedId: picked.id, otherIds: others.map((a) => a.id) };
      },
      'lineage.tree': ({ rootId, trait }) => lineageColumns(this.database.connection, { ...(rootId !== undefined ? { rootId } : {}), ...(trait ? { trait } : {}) }),
      'lineage.stats': ({ rootId }) => {
        const db = this.database.connection;
        const root = rootId === undefined ? undefined : getAgent(db, rootId)?.rootId;
        if (rootId !== undefined && root === undefined) throw new ApiError('not_found', `There is no agent ${rootId}.`);
        return { generations: generationStats(db, root ?? null), clades: root === undefined ? null : topClades(cladeSizes(db, root), 12) };
      },
      'lineage.export': ({ rootId, format }) => {
        const db = this.database.connection;
        const root = getAgent(db, rootId);
        if (!root) throw new ApiError('not_found', `There is no agent ${rootId}.`);
        const base = root.name.toLowerCase().replace(/[^a-z0-9]+/g, '-') || `agent-${rootId}`;
        return format === 'newick' ? { text: newick(db, root.rootId), fileName: `${base}.nwk` } : { text: phylogenyCsv(db, root.rootId), fileName: `${base}-phylogeny.csv` };
      },
      'chat.thread': ({ leafId }) => {
        const db = this.database.connection;
        if (!getMessage(db, leafId)) throw new ApiError('not_found', `There is no message ${leafId}.`);
        const messages = thread(db, leafId);
        const siblings = Object.fromEntries(messages.map((m) => [String(m.id), replies(db, m.conversationId, m.parentId).map((r) => r.id)]));
        return { messages, siblings };
      },
    };
  }

  #reportTurn(turnId: number, agentId: number, done: Promise<TurnResult>): void {
    done.then(
      (result) =>
        this.hub.emit('chat.done', {
          turnId,
          agentId,
          ok: true,
          message: result.message,
          stats: result.stats,
          recalled: result.recalled.map((m) => ({ id: m.id, query: m.query, response: m.response, distance: m.distance, fitness: m.fitness })),
          noise: result.noise,
          childId: result.divided?.id ?? null,
        }),
      (error: unknown) => this.hub.emit('chat.done', { turnId, agentId, ok: false, message: (error as Error).message }),
    );
  }

  #shutdown: Promise<void> | undefined;

  /**
   * The one teardown, safe to call twice (a second call waits for the first): stops a running
   * harvest (its credit stays in the pool), the downloads and the engine process, then closes the
   * database, so nothing writes to it after it closed.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      clearInterval(this.#heartbeat);
      try {
        await this.entropy.stop();
        await this.downloads.dispose();
        await this.inference.dispose();
      } finally {
        this.#database?.dispose();
        this.#database = undefined;
      }
    })();
    return this.#shutdown;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}

/** The `keep` largest clades (by their largest size) and the rest summed as "others", for a readable Muller plot. */
function topClades(series: CladeSeries, keep: number): CladeSeries {
  if (series.clades.length <= keep) return series;
  const peak = series.clades.map((_, c) => Math.max(...series.sizes.map((row) => row[c]!)));
  const order = [...peak.keys()].sort((a, b) => peak[b]! - peak[a]!);
  const kept = order.slice(0, keep);
  const rest = order.slice(keep);
  return {
    clades: [...kept.map((c) => series.clades[c]!), { id: 0, name: `${rest.length} other clades` }],
    times: series.times,
    sizes: series.sizes.map((row) => [...kept.map((c) => row[c]!), rest.reduce((sum, c) => sum + row[c]!, 0)]),
  };
}
