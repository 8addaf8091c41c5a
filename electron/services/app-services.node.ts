// The main-process services behind the API, shared by the Electron shell and
// browser mode: the database, the event hub and the handlers of every method.
import { join } from 'node:path';
import { identitySeed, loadOrCreateIdentity, type Identity } from '../identity/identity.node';
import { version } from '../../package.json';
import { API_VERSION, type RunMode } from '../api/contract.std';
import { EventHub } from '../api/event-hub.std';
import { createRouter, type Handlers, type Router } from '../api/router.std';
import { Database } from '../store/database.node';
import { DisposedError } from '../../native-bridge/resource/disposed-error.std';
import { assessInThisThread, workerAssessor, type WorkerAssessor } from '../../native-bridge/estimators/assessors.node';
import type { BuildPaths } from '../paths/build-paths.node';
import { EntropyService } from './entropy-service.node';
import { InferenceService } from './inference-service.node';
import { SettingsService } from './settings-service.node';
import { ModelDownloads } from './model-downloads.node';
import { AgentService } from './agent-service.node';
import { SwarmService } from './swarm-service.node';
import { CircleCouncil } from './circle-council.node';
import { SharedMemory } from './shared-memory.node';
import type { TurnResult } from './chat-service.node';
import type { EngineSpawner } from '../inference/engine-client.node';

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
  /**
   * The swarm's HyperDHT bootstrap nodes (host:port) for a private network; default: the public
   * ones, or LIGHTSEED_SWARM_BOOTSTRAP (comma-separated) when set.
   */
  swarmBootstrap?: readonly string[];
  /** What this installation calls itself to its circle; default: the computer's name. */
  swarmName?: string;
}

type OptionalParts = 'paths' | 'engineSpawner' | 'sqliteBinding' | 'swarmBootstrap' | 'swarmName';

export class AppServices implements AsyncDisposable {
  readonly hub: EventHub;
  readonly entropy: EntropyService;
  readonly inference: InferenceService;
  readonly downloads: ModelDownloads;
  readonly agents: AgentService;
  readonly settings: SettingsService;
  readonly swarm: SwarmService;
  readonly circleCouncil: CircleCouncil;
  readonly sharedMemory: SharedMemory;
  readonly router: Router;
  readonly startedAt = Date.now();
  #database: Database | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #identity: Identity | undefined;
  /** The assessment's worker threads, kept between a harvest's assessments. */
  readonly #assessor: WorkerAssessor | undefined;

  private constructor(
    database: Database,
    readonly options: Required<Omit<AppServicesOptions, OptionalParts>> & Pick<AppServicesOptions, OptionalParts>,
  ) {
    this.#database = database;
    const log = options.log;
    this.hub = new EventHub((error, event) => log(`A listener of ${event} threw`, error));
    this.#assessor = options.paths ? workerAssessor(options.paths.assessWorker) : undefined;
    this.entropy = new EntropyService(database, this.hub, this.#assessor ?? assessInThisThread);
    this.inference = new InferenceService(database, this.hub, options.paths?.engineWorker, options.engineSpawner, options.paths?.embeddedModel, join(options.dataDir, 'models'));
    this.downloads = new ModelDownloads(this.hub, this.inference, { dir: join(options.dataDir, 'models', 'downloads') });
    this.settings = new SettingsService(database, this.hub);
    this.agents = new AgentService(database, this.hub, this.inference, { adapterCacheDir: join(options.dataDir, 'adapters'), identity: () => this.identity });
    const bootstrap = options.swarmBootstrap ?? process.env.LIGHTSEED_SWARM_BOOTSTRAP?.split(',').filter(Boolean);
    this.swarm = new SwarmService(database, this.hub, () => this.identity, () => identitySeed(options.dataDir), {
      ...(bootstrap?.length ? { bootstrap } : {}),
      ...(options.swarmName ? { name: options.swarmName } : {}),
      log: (line) => log(line),
      now: () => Date.now(),
    });
    this.circleCouncil = new CircleCouncil(database, this.swarm, this.agents, this.inference, {
      draw: this.agents.draw,
      now: () => Date.now(),
      log: (line) => log(line),
      onAnswer: (answer) => this.hub.emit('swarm.answer', answer),
    });
    this.sharedMemory = new SharedMemory(database, this.swarm, () => identitySeed(options.dataDir), join(options.dataDir, 'shared-memory'), { log: (line) => log(line), now: () => Date.now() });
    this.agents.chat.circle = this.sharedMemory;
    this.router = createRouter(this.#handlers(), (error, method) => log(`API method ${method} failed`, error));
    if (options.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => {
        this.hub.emit('app.heartbeat', { serverTime: Date.now(), uptimeMs: Date.now() - this.startedAt });
      }, options.heartbeatMs);
      this.#heartbeat.unref();
    }
  }

  /** This installation's Ed25519 identity (created in the data folder the first time something is signed). */
  get identity(): Identity {
    return (this.#identity ??= loadOrCreateIdentity(this.options.dataDir));
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
      'settings.get': () => this.settings.get(),
      'settings.update': (change) => this.settings.update(change),
      'sources.list': async () => ({ sources: await this.entropy.sources(this.settings.get().rtltcpEndpoints) }),
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
      'agents.birth': ({ genesisId, name }) => this.agents.view.summary(this.agents.life.birth(genesisId, name)),
      'agents.list': ({ state, limit, offset }) => this.agents.view.list({ ...(state ? { state } : {}), limit: limit ?? 1000, offset: offset ?? 0 }),
      'agents.get': ({ id }) => this.agents.view.detail(id),
      'chat.say': async ({ agentId, text, conversationId, parentId, greeting }) => {
        let turnId = 0;
        const turn = await this.agents.chat.say(
          { agentId, text, ...(conversationId !== undefined ? { conversationId } : {}), ...(parentId !== undefined ? { parentId } : {}), ...(greeting !== undefined ? { greeting } : {}) },
          (t) => this.hub.emit('chat.token', { turnId, agentId, text: t }),
        );
        turnId = turn.id;
        this.#reportTurn(turn.id, agentId, turn.done);
        return { turnId, conversationId: turn.userMessage.conversationId, userMessageId: turn.userMessage.id };
      },
      'chat.regenerate': async ({ messageId }) => {
        let turnId = 0;
        const turn = await this.agents.chat.regenerate(messageId, (t) => this.hub.emit('chat.token', { turnId, agentId: turn.agentId, text: t }));
        turnId = turn.id;
        this.#reportTurn(turn.id, turn.agentId, turn.done);
        return { turnId };
      },
      'chat.stop': ({ turnId }) => ({ stopping: this.agents.chat.stop(turnId) }),
      'chat.feedback': async ({ messageId, kind }) => {
        const result = await this.agents.chat.feedback(messageId, kind);
        if (kind === 'up') this.#share(messageId);
        return { fitness: result.fitness, archived: result.archived, childId: result.divided?.id ?? null };
      },
      'chat.council': async ({ text, k, conversationId, parentId }) => {
        const council = await this.agents.council.ask(
          { text, k, ...(conversationId !== undefined ? { conversationId } : {}), ...(parentId !== undefined ? { parentId } : {}) },
          (turnId, agentId, t) => this.hub.emit('chat.token', { turnId, agentId, text: t }),
          (turn) => this.#reportTurn(turn.id, turn.agentId, turn.done),
        );
        council.done.catch((error: unknown) => this.options.log('A council stopped early', error));
        return { conversationId: council.userMessage.conversationId, userMessageId: council.userMessage.id, agentIds: council.members.map((m) => m.id) };
      },
      'chat.pick': ({ messageId }) => {
        const { picked, others } = this.agents.council.pick(messageId);
        this.#share(messageId);
        return { pickedId: picked.id, otherIds: others.map((a) => a.id) };
      },
      'lineage.tree': ({ rootId, trait }) => this.agents.lineage.tree({ ...(rootId !== undefined ? { rootId } : {}), ...(trait ? { trait } : {}) }),
      'lineage.stats': ({ rootId }) => this.agents.lineage.stats(rootId),
      'lineage.export': ({ rootId, format }) => this.agents.lineage.export(rootId, format),
      'chat.thread': ({ leafId }) => this.agents.chat.thread(leafId),
      'chat.export': ({ conversationId, leafId, scope, format }) => this.agents.conversations.export({ conversationId, scope, format, ...(leafId !== undefined ? { leafId } : {}) }),
      'cards.import': ({ fileName, base64, genesisId, name }) => {
        const result = this.agents.cards.import(Buffer.from(base64, 'base64'), fileName, { ...(genesisId !== undefined ? { genesisId } : {}), ...(name !== undefined ? { name } : {}) });
        return { agent: this.agents.view.summary(result.agent), via: result.via, spec: result.spec, renamedFrom: result.renamedFrom ?? null };
      },
      'cards.get': ({ agentId }) => ({ card: this.agents.cards.view(agentId) }),
      'cards.export': ({ agentId }) => {
        const { bytes, fileName } = this.agents.cards.export(agentId);
        return { base64: Buffer.from(bytes).toString('base64'), fileName };
      },
      'cards.addLorebook': ({ agentId, fileName, base64 }) => this.agents.cards.addLorebook(agentId, Buffer.from(base64, 'base64'), fileName),
      'cards.setWorldInfo': ({ agentId, entries }) => ({ card: this.agents.cards.setWorldInfo(agentId, entries) }),
      'swarm.status': () => this.swarm.status(),
      'swarm.invite': async () => {
        const code = this.swarm.invite();
        await this.swarm.start();
        return { code };
      },
      'swarm.join': async ({ code }) => {
        const joined = this.swarm.join(code);
        await this.swarm.start();
        return joined;
      },
      'swarm.leave': async () => ({ left: await this.swarm.leave() }),
      'swarm.remove': ({ peer }) => {
        this.swarm.remove(peer);
        return { removed: true as const };
      },
      'swarm.settings': (change) => this.swarm.settings(change),
      'swarm.council': async ({ text, k, conversationId, parentId }) => {
        const council = await this.circleCouncil.ask(
          { text, k, ...(conversationId !== undefined ? { conversationId } : {}), ...(parentId !== undefined ? { parentId } : {}) },
          (turnId, agentId, t) => this.hub.emit('chat.token', { turnId, agentId, text: t }),
          (turn) => this.#reportTurn(turn.id, turn.agentId, turn.done),
        );
        council.done.catch((error: unknown) => this.options.log('A council across the circle stopped early', error));
        return {
          conversationId: council.userMessage.conversationId,
          userMessageId: council.userMessage.id,
          agentIds: council.members.flatMap((m) => (m.home === 'here' ? [m.agent.id] : [])),
          answers: this.circleCouncil.answers(council.userMessage.id).map((a) => this.circleCouncil.view(a)),
        };
      },
      'swarm.answers': ({ questionId }) => ({ answers: this.circleCouncil.answers(questionId).map((a) => this.circleCouncil.view(a)) }),
      'swarm.pick': (target) => {
        const result = this.circleCouncil.pick(target);
        if ('messageId' in target) this.#share(target.messageId);
        return result;
      },
    };
  }

  /** A liked answer goes to the circle's shared memory, when there is a circle (never otherwise). */
  #share(messageId: number): void {
    this.sharedMemory.share(messageId).catch((error: unknown) => this.options.log('A liked answer could not be shared with the circle', error));
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
          recalled: result.recalled.map((m) => ({ id: m.id, query: m.query, response: m.response, distance: m.distance, fitness: m.fitness, from: m.from ?? null })),
          worldInfo: result.worldInfo.map((w) => ({ label: w.label, reason: w.reason })),
          noise: result.noise,
          childId: result.divided?.id ?? null,
        }),
      (error: unknown) => this.hub.emit('chat.done', { turnId, agentId, ok: false, message: (error as Error).message }),
    );
  }

  #shutdown: Promise<void> | undefined;

  /**
   * The one teardown, safe to call twice (a second call waits for the first): stops a running
   * harvest (its credit stays in the pool), the assessment's waiting workers, the downloads and the engine process, then closes the
   * database, so nothing writes to it after it closed.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      clearInterval(this.#heartbeat);
      try {
        await this.swarm.stop();
        await this.entropy.stop();
        await this.#assessor?.close();
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
