// The main process's handle on the inference engine process. The engine has one name
// per role: engine-protocol.std.ts (its messages), engine-worker.node.ts (the process
// that runs llama.cpp), this client, engine-utility-process.node.ts (starting it as an
// Electron utility process); services/inference-service.node.ts owns a client. llama.cpp can abort the
// process it runs in; it runs in its own, and when that dies the client says so,
// fails the requests in flight with a clear error, and starts a fresh one (reloading
// the model) for the next request.
import { fork } from 'node:child_process';
import { DisposedError } from '../../native-bridge/resource/disposed-error.std';
import { LLAMA_CPP_DEFAULTS } from './sampler.std';
import type { AdapterRef, ChatTurn, EngineReply, EngineRequest, GenerationStats, LoadedModelInfo, SamplerSettings } from './engine-protocol.std';

/** The engine process stopped while a request was in flight. */
export class EngineCrashedError extends Error {
  override readonly name = 'EngineCrashedError';

  constructor(
    message: string,
    /** How the process ended ("was killed (SIGABRT)", "exited with code 1") and the line of its output that says why. */
    readonly how: string,
    readonly reason: string | undefined,
  ) {
    super(message);
  }
}

export class EngineError extends Error {
  override readonly name = 'EngineError';
}

/**
 * What a request leaves unset: llama.cpp's current defaults (common_params_sampling), repetition
 * penalty off. An agent's turn sets its own (its temperament's profile), so this is the plain
 * `generate` and the API's default.
 */
export const DEFAULT_SAMPLER: SamplerSettings = { ...LLAMA_CPP_DEFAULTS };

export interface GenerateRequest {
  messages?: ChatTurn[];
  prompt?: string;
  maxTokens?: number;
  stop?: string[];
  sampler?: Partial<SamplerSettings>;
  /** ≥ 32 bytes of entropy for the sampler's DRBG. */
  seed: Uint8Array;
  adapters?: AdapterRef[];
}

export interface Generation {
  id: number;
  /** Resolves with the whole text and the statistics; rejects if the engine fails. */
  done: Promise<{ text: string; stats: GenerationStats; tokens: number[] }>;
  /** Stops the generation; `done` resolves with stopReason 'aborted'. */
  abort(): void;
}

/** The engine's process as the client sees it: a Node child process or an Electron utility process. */
export interface EngineProcess {
  readonly pid: number | undefined;
  send(request: EngineRequest): void;
  onMessage(listener: (reply: EngineReply) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  onStderr(listener: (text: string) => void): void;
  kill(signal?: NodeJS.Signals): void;
  /** Closes the channel; the engine exits when it sees that. */
  close(): void;
}

export type EngineSpawner = (workerPath: string) => EngineProcess;

/** A Node child process (CLI and browser mode), with structured-clone messages. */
export const forkEngine: EngineSpawner = (workerPath) => {
  const child = fork(workerPath, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  return {
    get pid() {
      return child.pid;
    },
    send: (request) => void child.send(request),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.on('exit', listener),
    onStderr: (listener) => void child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString())),
    kill: (signal) => void child.kill(signal),
    close: () => child.disconnect(),
  };
};

export interface EngineClientOptions {
  /** The built engine entry (out/main/engine-worker.js). */
  workerPath: string;
  /** How to start the engine process. Default: a Node child process (forkEngine). */
  spawn?: EngineSpawner;
  /** Called when the engine process dies unexpectedly. */
  onCrash?: (message: string) => void;
}

/** Omit that keeps the union's members apart. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

type Pending = { resolve: (reply: EngineReply) => void; reject: (error: Error) => void; onToken?: (text: string) => void };

export class EngineClient implements AsyncDisposable {
  #child: EngineProcess | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #lastLoad: { modelPath: string; threads: number; contextSize: number } | undefined;
  #loaded: Promise<LoadedModelInfo> | undefined;
  #disposed = false;
  #restarts = 0;
  #crashed = false;

  constructor(private readonly options: EngineClientOptions) {}

  /** How many times the engine process was restarted after dying. */
  get restarts(): number {
    return this.#restarts;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  #spawn(): EngineProcess {
    const child = (this.options.spawn ?? forkEngine)(this.options.workerPath);
    let stderr = '';
    child.onStderr((text) => (stderr = (stderr + text).slice(-4000)));
    child.onMessage((reply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      if (reply.type === 'token') pending.onToken?.(reply.text);
      else {
        this.#pending.delete(reply.id);
        if (reply.type === 'error') pending.reject(new EngineError(reply.message));
        else pending.resolve(reply);
      }
    });
    child.onExit((code, signal) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#loaded = undefined;
      if (this.#disposed) return;
      this.#crashed = true;
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      const why = crashReason(stderr);
      const message = `The inference engine ${how}${why ? `: ${why}` : ''}. It restarts with the next request; the conversation is kept.`;
      for (const [id, pending] of this.#pending) {
        pending.reject(new EngineCrashedError(message, how, why));
        this.#pending.delete(id);
      }
      this.options.onCrash?.(message);
    });
    return child;
  }

  #request<T extends EngineReply>(request: WithoutId<EngineRequest>, onToken?: (text: string) => void): { id: number; reply: Promise<T> } {
    if (this.#disposed) throw new DisposedError('Inference engine');
    if (!this.#child) {
      if (this.#crashed) this.#restarts++;
      this.#crashed = false;
      this.#child = this.#spawn();
    }
    const id = this.#nextId++;
    const reply = new Promise<T>((resolve, reject) => this.#pending.set(id, { resolve: resolve as (r: EngineReply) => void, reject, ...(onToken ? { onToken } : {}) }));
    this.#child.send({ ...request, id } as EngineRequest);
    return { id, reply };
  }

  /**
   * Loads a model (validate it with the GGUF validator first: llama.cpp may abort on a bad file);
   * `threads` 0 measures a few counts and keeps the fastest (LoadedModelInfo says what it measured).
   */
  async load(modelPath: string, options: { threads: number; contextSize: number; needsLightSeedBuild?: boolean }): Promise<LoadedModelInfo> {
    const lastLoad = (this.#lastLoad = { modelPath, ...options });
    // After a crash the model loads again with the threads chosen now, not measured again.
    this.#loaded = this.#request<Extract<EngineReply, { type: 'loaded' }>>({ type: 'load', modelPath, needsLightSeedBuild: false, ...options }).reply.then((r) => ((lastLoad.threads = r.info.threads), r.info));
    return this.#loaded;
  }

  /** Makes sure the last loaded model is loaded (after a crash, in a fresh process). */
  async #ready(): Promise<void> {
    if (!this.#lastLoad) throw new EngineError('No model is loaded: add one with `lightseed models add FILE`.');
    if (!this.#child || !this.#loaded) await this.load(this.#lastLoad.modelPath, this.#lastLoad);
    else await this.#loaded;
  }

  /**
   * A trial load of a file that passed the GGUF validator, for `models add`: llama.cpp's own
   * checks in the engine process, so a file it rejects or aborts on costs a sentence, not the app.
   * Leaves the loaded model as it was.
   */
  async check(modelPath: string, needsLightSeedBuild: boolean): Promise<{ build: 'lightseed' | 'prebuilt'; trainContextSize: number }> {
    const reply = await this.#request<Extract<EngineReply, { type: 'checked' }>>({ type: 'check', modelPath, needsLightSeedBuild }).reply;
    return { build: reply.build, trainContextSize: reply.trainContextSize };
  }

  async generate(request: GenerateRequest, onToken: (text: string) => void = () => {}): Promise<Generation> {
    await this.#ready();
    if (request.seed.length < 32) throw new EngineError('A generation needs at least 32 bytes of seed entropy.');
    const { id, reply } = this.#request<Extract<EngineReply, { type: 'done' }>>(
      {
        type: 'generate',
        ...(request.messages ? { messages: request.messages } : {}),
        ...(request.prompt !== undefined ? { prompt: request.prompt } : {}),
        maxTokens: request.maxTokens ?? 256,
        stop: request.stop ?? [],
        sampler: { ...DEFAULT_SAMPLER, ...request.sampler },
        seed: request.seed,
        adapters: request.adapters ?? [],
      },
      onToken,
    );
    return {
      id,
      done: reply.then((r) => ({ text: r.text, stats: r.stats, tokens: r.tokens })),
      abort: () => {
        if (this.#child) this.#request({ type: 'abort', target: id });
      },
    };
  }

  /** −ln p of each token of `text` given the ones before it, summed (nats), and how many were scored. */
  async score(text: string, adapters: AdapterRef[] = []): Promise<{ tokens: number; nll: number }> {
    await this.#ready();
    const reply = await this.#request<Extract<EngineReply, { type: 'score' }>>({ type: 'score', text, adapters }).reply;
    return { tokens: reply.tokens, nll: reply.nll };
  }

  /** The logits after evaluating a prompt (tokenized by the model, with BOS where the model wants one) from an empty context. */
  async promptLogits(prompt: string, adapters: AdapterRef[] = []): Promise<Float32Array> {
    await this.#ready();
    return (await this.#request<Extract<EngineReply, { type: 'logits' }>>({ type: 'logits', prompt, adapters }).reply).logits;
  }

  /** The logits after evaluating `tokens` from an empty context (for tests and identity probes). */
  async logits(tokens: number[], adapters: AdapterRef[] = []): Promise<Float32Array> {
    await this.#ready();
    return (await this.#request<Extract<EngineReply, { type: 'logits' }>>({ type: 'logits', tokens, adapters }).reply).logits;
  }

  /** How many adapter files the loaded model holds now (at most ADAPTERS_KEPT). */
  async adaptersLoaded(): Promise<number> {
    await this.#ready();
    return (await this.#request<Extract<EngineReply, { type: 'status' }>>({ type: 'status' }).reply).adaptersLoaded;
  }

  /** Kills the engine process (tests use this to prove the client survives). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.#child?.kill(signal);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const child = this.#child;
    this.#child = undefined;
    for (const pending of this.#pending.values()) pending.reject(new DisposedError('Inference engine'));
    this.#pending.clear();
    if (child) {
      const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
      child.close();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/**
 * The line of a crashed process's stderr that says what went wrong: the error line of an
 * uncaught exception (Node follows it with the stack and its own version), else the last
 * line that is not part of a stack.
 */
export function crashReason(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^at\s/.test(line) && !/^Node\.js v\d/.test(line) && !/^\^+$/.test(line));
  return lines.findLast((line) => /^([A-Z]\w*)?(Error|Exception)\b[^:]*:/.test(line)) ?? lines.at(-1);
}
