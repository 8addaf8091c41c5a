// The model registry and generation as a main-process service: one engine process,
// loaded with the default model on first use, its tokens sent as API events.
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { basename, resolve } from 'node:path';
import type { EventHub } from '../api/event-hub.std';
import { ApiError } from '../api/api-error.std';
import type { RegisteredModel } from '../api/contract.std';
import { EngineCrashedError, EngineClient, type EngineSpawner, type GenerateRequest, type Generation } from '../inference/engine-client.node';
import { LOADED_CONTEXT, type ChatTurn, type LoadedModelInfo } from '../inference/engine-protocol.std';
import { needsLightSeedBuild, type ModelSummary } from '../inference/gguf/gguf-validate.std';
import type { Database } from '../store/database.node';
import { defaultModel, getModel, listModels, removeModel, setDefaultModel, setThreadSpeeds } from '../store/models.node';
import { addModel, relocateModel, verifyModelFile } from './model-registry.node';
import { readSettings } from '../store/settings.node';
import { drawSamplingSeed } from './sampling-entropy.node';

/** The machine a thread measurement holds for: its processor and how many cores it may use. */
export function machineName(): string {
  return `${cpus()[0]?.model.trim() || 'unknown processor'}, ${availableParallelism()} cores`;
}

export class InferenceService implements AsyncDisposable {
  #engine: EngineClient | undefined;
  #loaded: { path: string; threads: number; sha256: string } | undefined;
  #nextId = 1;
  #moveChecked = false;
  readonly #running = new Map<number, Generation>();

  constructor(
    private readonly database: Database,
    private readonly hub: EventHub,
    /** The engine process entry; without it (library use) generation is unavailable. */
    private readonly engineWorker: string | undefined,
    /** How the engine process starts: a Node child by default, a utility process in Electron. */
    private readonly spawn?: EngineSpawner,
    /** The embedded default model, registered and used when the user has chosen none. */
    private readonly embeddedModel?: string,
    /** Where runnable copies of added models are written (the data folder's models/). */
    private readonly modelsDir?: string,
  ) {}

  /** A trial load in a fresh engine process of its own: whatever llama.cpp rejects or aborts on costs one sentence. */
  async #check(path: string, summary: ModelSummary): Promise<void> {
    if (!this.engineWorker) return;
    await using engine = new EngineClient({ workerPath: this.engineWorker, ...(this.spawn ? { spawn: this.spawn } : {}) });
    try {
      await engine.check(path, needsLightSeedBuild(summary));
    } catch (error) {
      if (!(error instanceof EngineCrashedError)) throw error;
      // An assertion names llama.cpp's source file by where it was built: from its src/ or ggml/ on is enough.
      const reason = error.reason?.replace(/^\S*?\/(?=(src|ggml)\/)/, '');
      throw new Error(`llama.cpp stopped while trying it (its process ${error.how}${reason ? `: ${reason}` : ''}); the app was not affected`, { cause: error });
    }
  }

  /** The model generation uses: the default, or else the embedded model (registered on first use). */
  async defaultOrEmbedded(): Promise<RegisteredModel | undefined> {
    const chosen = defaultModel(this.database.connection);
    // The embedded model moves with a new install and with every AppImage start: follow the same
    // file to its new path. Checked once per start, not on every turn (a refusal costs a hash).
    if (chosen && this.embeddedModel && !this.#moveChecked) {
      this.#moveChecked = true;
      if (!existsSync(chosen.path) && basename(chosen.path) === basename(this.embeddedModel) && existsSync(this.embeddedModel)) {
        return (await relocateModel(this.database.connection, chosen.id, this.embeddedModel)) ?? chosen;
      }
    }
    if (chosen || !this.embeddedModel || !existsSync(this.embeddedModel)) return chosen;
    const added = await addModel(this.database.connection, this.embeddedModel, Date.now());
    return added.isDefault ? added : setDefaultModel(this.database.connection, String(added.id));
  }

  /**
   * Whether the model continues only chat turns: the embedded model was trained on
   * conversations alone (models/MODEL_CARD.md), so plain text ends at once with its
   * end-of-text token. Every other model continues plain text as llama.cpp does.
   */
  answersChatOnly(model: RegisteredModel): boolean {
    return this.embeddedModel !== undefined && resolve(model.path) === resolve(this.embeddedModel);
  }

  list(): RegisteredModel[] {
    return listModels(this.database.connection);
  }

  /** Registers a GGUF file; it becomes the default when none was chosen or only the embedded model was in use. */
  async add(path: string, known: { sha256?: string } = {}): Promise<RegisteredModel> {
    try {
      const added = await addModel(this.database.connection, path, Date.now(), {
        check: (file, summary) => this.#check(file, summary),
        ...(this.modelsDir ? { convertDir: this.modelsDir } : {}),
        ...(known.sha256 ? { sha256: known.sha256 } : {}),
      });
      const current = defaultModel(this.database.connection);
      if (current && current.id !== added.id && this.embeddedModel && current.path === resolve(this.embeddedModel)) return setDefaultModel(this.database.connection, String(added.id));
      return added;
    } catch (error) {
      throw new ApiError('failed_precondition', (error as Error).message, undefined, { cause: error });
    }
  }

  remove(id: number): boolean {
    if (!getModel(this.database.connection, String(id))) return false;
    removeModel(this.database.connection, String(id));
    return true;
  }

  setDefault(id: number): RegisteredModel {
    if (!getModel(this.database.connection, String(id))) throw new ApiError('failed_precondition', `There is no model ${id}.`);
    return setDefaultModel(this.database.connection, String(id));
  }

  /** The default model, loaded in the engine process (with the thread count from the settings, or measured). */
  async use(): Promise<{ engine: EngineClient; model: RegisteredModel }> {
    const chosen = await this.defaultOrEmbedded();
    if (!chosen) throw new ApiError('failed_precondition', 'No model yet: add a GGUF file on the Models page.');
    let model: RegisteredModel;
    try {
      model = await verifyModelFile(this.database.connection, chosen);
    } catch (error) {
      throw new ApiError('failed_precondition', (error as Error).message, undefined, { cause: error });
    }
    if (!this.engineWorker) throw new ApiError('unavailable', 'The inference engine is not available in this build.');
    this.#engine ??= new EngineClient({ workerPath: this.engineWorker, ...(this.spawn ? { spawn: this.spawn } : {}) });
    const threads = this.threadsFor(model);
    if (this.#loaded?.path !== model.path || (threads && this.#loaded.threads !== threads) || this.#loaded.sha256 !== model.sha256) {
      this.#loaded = undefined;
      const info = await this.#engine.load(model.path, { threads, contextSize: Math.min(model.contextLength, LOADED_CONTEXT), needsLightSeedBuild: needsLightSeedBuild(model) });
      this.noteLoaded(model, info);
      this.#loaded = { path: model.path, threads: info.threads, sha256: model.sha256 };
    }
    return { engine: this.#engine, model };
  }

  /** Threads for `model`: the setting, else the fastest count measured on this machine, else 0 (measured as it loads). */
  threadsFor(model: RegisteredModel): number {
    const setting = readSettings(this.database.connection).inferenceThreads;
    if (setting) return setting;
    return model.threadSpeeds?.machine === machineName() ? model.threadSpeeds.threads : 0;
  }

  /** Keeps what a load measured, for this machine. */
  noteLoaded(model: RegisteredModel, info: LoadedModelInfo): void {
    if (info.threadSpeeds) setThreadSpeeds(this.database.connection, model.id, { machine: machineName(), build: info.build, threads: info.threads, speeds: info.threadSpeeds });
  }

  /** Starts a generation with the default model, its sampler seeded from the entropy pool; `stop(id)` aborts it. */
  async run(request: Omit<GenerateRequest, 'seed'>, onToken: (text: string) => void): Promise<{ id: number; generation: Generation; model: RegisteredModel }> {
    const { engine, model } = await this.use();
    const id = this.#nextId++;
    const seed = await drawSamplingSeed(this.database.connection);
    const generation = await engine.generate({ ...request, seed }, onToken);
    this.#running.set(id, generation);
    // The caller handles the outcome through `generation.done`; this only forgets the finished generation.
    const forget = () => void this.#running.delete(id);
    generation.done.then(forget, forget);
    return { id, generation, model };
  }

  /** Starts a generation with the default model; tokens and the end arrive as events. */
  async start(messages: ChatTurn[], options: { maxTokens?: number; temperature?: number }): Promise<number> {
    let id = 0;
    const { id: started, generation } = await this.run(
      { messages, maxTokens: options.maxTokens ?? 256, ...(options.temperature !== undefined ? { sampler: { temperature: options.temperature } } : {}) },
      (text) => this.hub.emit('generate.token', { generationId: id, text }),
    );
    id = started;
    generation.done.then(
      ({ text, stats }) => this.hub.emit('generate.done', { generationId: id, ok: true, text, stats }),
      (error: unknown) => this.hub.emit('generate.done', { generationId: id, ok: false, message: (error as Error).message }),
    );
    return id;
  }

  stop(id: number): boolean {
    const generation = this.#running.get(id);
    generation?.abort();
    return generation !== undefined;
  }

  async dispose(): Promise<void> {
    await this.#engine?.dispose();
    this.#engine = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
