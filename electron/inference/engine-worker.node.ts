// The inference engine process: llama.cpp through node-llama-cpp, our sampler over
// its logits, randomness from a DRBG seeded with pool entropy sent by the main
// process. Runs as a child process (or Electron utility process); if it crashes,
// only this process dies. Over 400 lines: the process's whole request loop (load,
// generate, logits, score, adapters, status) in one file, each request a short method.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { resolveChatWrapper, TokenBias, type ChatHistoryItem, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import { HmacDrbg } from '../../native-bridge/drbg/hmac-drbg.node';
import { honoursActivation, llamaBuild, preferredBuild, takeLlamaError, type LoadedLlama } from './llama-binary.node';
import { TokenSampler } from './sampler.std';
import { fastestThreads, threadCandidates, type ThreadSpeed } from './thread-choice.std';
import { ADAPTERS_KEPT, type AdapterRef, type ChatTurn, type EngineReply, type EngineRequest, type GenerationStats, type SamplerSettings } from './engine-protocol.std';

interface Loaded {
  model: LlamaModel;
  path: string;
  threads: number;
  contextSize: number;
  /** One context per adapter set: llama.cpp attaches adapters to a context. */
  contexts: Map<string, LlamaContext>;
}

let loaded: Loaded | undefined;
const aborted = new Set<number>();
/** Reused across tokens: its buffers are sized for the vocabulary once. */
const sampler = new TokenSampler();

/** In an Electron utility process messages go through process.parentPort; in a Node child, through IPC. */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: EngineRequest }) => void): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(reply: EngineReply): void {
  if (parentPort) parentPort.postMessage(reply);
  else process.send?.(reply);
}

/** node-llama-cpp 3.22.1 sets a context's adapters with this internal method (llama_set_adapters_lora). */
type AdapterSwitchable = LlamaContext & { _setLoras?: (loras: { filePath: string; scale?: number }[]) => Promise<void> };

/** node-llama-cpp 3.22.1 keeps the adapters it loaded in these internal fields. */
interface LoraHandle {
  dispose(): Promise<void>;
}
type AdapterCaching = { _loraAdapters?: Map<string, LoraHandle> };
type AdapterHolding = { _loraAdapters?: Set<LoraHandle> };

/** Resolved adapter paths, least recently used first. */
const adapterRecency = new Map<string, true>();
/** The adapters (resolved paths) each live context has attached now. */
const attached = new WeakMap<LlamaContext, string[]>();

/** Frees the least recently used adapters beyond ADAPTERS_KEPT that no live context has attached. */
function adapterCache(current: Loaded): Map<string, LoraHandle> | undefined {
  const cache = (current.model as unknown as AdapterCaching)._loraAdapters;
  return cache instanceof Map ? cache : undefined;
}

async function forgetAdapters(current: Loaded): Promise<void> {
  const cache = adapterCache(current);
  if (!cache || cache.size <= ADAPTERS_KEPT) return;
  const contexts = [...current.contexts.values()];
  const inUse = new Set(contexts.flatMap((context) => attached.get(context) ?? []));
  for (const path of [...adapterRecency.keys()]) {
    if (cache.size <= ADAPTERS_KEPT) break;
    if (inUse.has(path)) continue;
    adapterRecency.delete(path);
    const handle = cache.get(path);
    if (!handle) continue;
    cache.delete(path);
    for (const context of contexts) (context as unknown as AdapterHolding)._loraAdapters?.delete(handle);
    await handle.dispose();
  }
}

async function contextFor(adapters: AdapterRef[]): Promise<LlamaContext> {
  const context = await contextWith(adapters);
  const paths = adapters.map((a) => resolve(a.path));
  attached.set(context, paths);
  for (const path of paths) {
    adapterRecency.delete(path);
    adapterRecency.set(path, true);
  }
  await forgetAdapters(loaded!);
  return context;
}

async function contextWith(adapters: AdapterRef[]): Promise<LlamaContext> {
  const current = loaded!;
  const key = adapters.map((a) => `${a.path}@${a.scale}`).join('|');
  let context = current.contexts.get(key);
  if (context) return context;
  // One context serves every adapter set: llama.cpp swaps adapters on a context in place and
  // caches adapter files by path, so a new agent or a new noise scale costs no new KV cache.
  const [onlyKey, only] = current.contexts.entries().next().value ?? [];
  const switchable = only as AdapterSwitchable | undefined;
  if (switchable && typeof switchable._setLoras === 'function' && current.contexts.size === 1) {
    await switchable._setLoras(adapters.map((a) => ({ filePath: a.path, scale: a.scale })));
    current.contexts.delete(onlyKey!);
    current.contexts.set(key, switchable);
    return switchable;
  }
  // Without that method: one context per adapter set, a few kept.
  if (current.contexts.size >= 4) {
    const [oldest, old] = current.contexts.entries().next().value as [string, LlamaContext];
    current.contexts.delete(oldest);
    await old.dispose();
  }
  context = await current.model.createContext({
    contextSize: current.contextSize,
    threads: current.threads,
    sequences: 1,
    ...(adapters.length ? { lora: { adapters: adapters.map((a) => ({ filePath: a.path, scale: a.scale })) } } : {}),
  });
  current.contexts.set(key, context);
  return context;
}

function toHistory(messages: ChatTurn[]): ChatHistoryItem[] {
  return messages.map((m) =>
    m.role === 'system' ? { type: 'system', text: m.content } : m.role === 'user' ? { type: 'user', text: m.content } : { type: 'model', response: [m.content] },
  );
}

/**
 * Renders the conversation with the model's chat template, dropping the oldest turns
 * (never the system prompt or the last turn) to fit; if that is not enough, the system
 * prompt loses lines from its end (an agent's recalled memories come last).
 */
/** Resolving the chat wrapper reads and tests the model's Jinja template: tens of milliseconds, so once per model. */
const wrappers = new WeakMap<LlamaModel, ReturnType<typeof resolveChatWrapper>>();

function renderPrompt(model: LlamaModel, messages: ChatTurn[], budget: number): { tokens: Token[]; dropped: number } {
  let wrapper = wrappers.get(model);
  if (!wrapper) wrappers.set(model, (wrapper = resolveChatWrapper(model)));
  let turns = [...messages];
  let dropped = 0;
  for (;;) {
    const { contextText } = wrapper.generateContextState({ chatHistory: [...toHistory(turns), { type: 'model', response: [] }] });
    const tokens = contextText.tokenize(model.tokenizer);
    if (tokens.length <= budget) return { tokens, dropped };
    const droppable = turns.findIndex((t, i) => t.role !== 'system' && i < turns.length - 1);
    if (droppable !== -1) {
      turns = turns.filter((_, i) => i !== droppable);
      dropped++;
      continue;
    }
    const system = turns[0]?.role === 'system' ? turns[0] : undefined;
    const lines = system?.content.split('\n') ?? [];
    if (!system || lines.length < 2) return { tokens, dropped };
    turns = [{ role: 'system', content: lines.slice(0, -1).join('\n') }, ...turns.slice(1)];
  }
}

/**
 * A plain prompt's tokens as llama.cpp's own tools make them (llama_tokenize with add_special and
 * parse_special, as llama-simple calls it): BOS first where the file's tokenizer.ggml.add_bos_token
 * asks for it, EOS last where add_eos_token does, and never a second one where the text already
 * begins (or ends) with it. A chat prompt gets its BOS from the chat template instead.
 */
export function promptTokens(model: LlamaModel, text: string): Token[] {
  const tokens = model.tokenize(text, true);
  const { bos, eos } = model.tokens;
  if (model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos) tokens.unshift(bos);
  if (model.tokens.shouldAppendEosToken && eos !== null && tokens.at(-1) !== eos) tokens.push(eos);
  return tokens;
}

const NO_BIAS: ReadonlyMap<number, number> = new Map();

/**
 * What to ask llama.cpp for with each token, so that our sampler draws exactly as it would from
 * the whole vocabulary. With top-k on, only the top candidates can be drawn: llama.cpp's own
 * token-bias and top-k samplers (a partial sort) hand over the k best biased logits, plus one
 * more per distinct token the repetition penalty may push out of them — where node-llama-cpp's
 * logits filter alone would sort all 128k logits (12 ms a token at that vocabulary, measured).
 * A temperature of 1 and top-p 1, min-p 0 leave those logits as they are. llama.cpp adds a bias
 * in float32, so ours is rounded to float32 too. node-llama-cpp never biases end-of-generation
 * tokens: a bias naming one, or top-k off, takes every logit and biases them here instead.
 */
function candidateRequest(model: LlamaModel, options: SamplerSettings, bias: Map<number, number>) {
  for (const [token, value] of bias) bias.set(token, Math.fround(value));
  const nativeBias = [...bias.keys()].every((token) => !model.isEogToken(token as Token));
  const tokenBias = new TokenBias(model.tokenizer);
  for (const [token, value] of bias) tokenBias.set(token as Token, { logit: value });
  return (recentTokens: number[]) => {
    const { topK, repeatLastN } = options;
    if (!(topK > 0) || !nativeBias) return { generateNext: { logits: true as const }, biasApplied: false };
    const penalised = new Set(repeatLastN === 0 ? [] : repeatLastN < 0 ? recentTokens : recentTokens.slice(-repeatLastN)).size;
    const k = topK + penalised;
    return {
      generateNext: { logits: { filter: { includeTop: k } }, options: { temperature: 1, topK: k, topP: 1, minP: 0, ...(bias.size ? { tokenBias } : {}) } },
      biasApplied: true,
    };
  };
}

/** Runs `work` on a fresh sequence of the context for `adapters`; the next request starts from an empty one. */
async function withSequence<T>(adapters: AdapterRef[], work: (sequence: LlamaContextSequence, current: Loaded) => Promise<T>): Promise<T> {
  if (!loaded) throw new Error('No model is loaded.');
  const current = loaded;
  const sequence = (await contextFor(adapters)).getSequence();
  try {
    return await work(sequence, current);
  } finally {
    await sequence.clearHistory();
    sequence.dispose();
  }
}

function generate(request: Extract<EngineRequest, { type: 'generate' }>): Promise<void> {
  const started = performance.now();
  return withSequence(request.adapters, async (sequence, loaded) => {
    const { model } = loaded;
    // At least half the context stays for the prompt.
    const maxTokens = Math.min(request.maxTokens, Math.floor(loaded.contextSize / 2));
    const budget = loaded.contextSize - maxTokens;
    const rendered = request.messages ? renderPrompt(model, request.messages, budget) : { tokens: promptTokens(model, request.prompt ?? ''), dropped: 0 };
    if (rendered.tokens.length > budget) throw new Error(`The prompt needs ${rendered.tokens.length} tokens; the context holds ${loaded.contextSize} with ${maxTokens} kept for the answer.`);
    const drbg = HmacDrbg.instantiate(request.seed.subarray(0, 32), request.seed.subarray(32), new TextEncoder().encode('LightSeed sampler'));
    const bias = new Map(request.sampler.tokenBias ?? []);
    const logitRequest = candidateRequest(model, request.sampler, bias);
    const eos = model.tokens.eos;
    const generated: Token[] = [];
    const recent: number[] = [...rendered.tokens];
    let text = '';
    let stopReason: GenerationStats['stopReason'] = 'maxTokens';
    let firstTokenAt = 0;
    let input: Token[] = rendered.tokens;
    while (generated.length < maxTokens) {
      if (aborted.delete(request.id)) {
        stopReason = 'aborted';
        break;
      }
      const { generateNext, biasApplied } = logitRequest(recent);
      const items = input.map((token, i) => (i === input.length - 1 ? ([token, { generateNext }] as const) : token));
      const results = await sequence.controlledEvaluate(items as never);
      const logits = results.at(-1)?.next?.logits;
      if (!logits) throw new Error('llama.cpp returned no logits.');
      const { token } = sampler.sample(logits, { ...request.sampler, tokenBias: biasApplied ? NO_BIAS : bias, recentTokens: recent.slice(-request.sampler.repeatLastN) }, drbg);
      if (!firstTokenAt) firstTokenAt = performance.now();
      // A plain completion ends where llama.cpp's does, at an end-of-generation token (an <unk>
      // or another control token is generated like any other); a chat turn also ends at any
      // control token, which would start a turn of its own.
      if (token === eos || model.isEogToken(token as Token) || (request.messages && model.isSpecialToken(token as Token))) {
        stopReason = 'eos';
        break;
      }
      generated.push(token as Token);
      recent.push(token);
      const full = model.detokenize(generated);
      // Hold back text until a multi-byte character is complete.
      if (!full.endsWith('\uFFFD')) {
        let next = full;
        const hit = request.stop.map((s) => next.indexOf(s)).filter((i) => i >= 0);
        if (hit.length) next = next.slice(0, Math.min(...hit));
        if (next.length > text.length) send({ id: request.id, type: 'token', text: next.slice(text.length), token });
        text = next;
        if (hit.length) {
          stopReason = 'stop';
          break;
        }
      }
      input = [token as Token];
    }
    const seconds = (performance.now() - (firstTokenAt || started)) / 1000;
    send({
      id: request.id,
      type: 'done',
      text,
      tokens: generated.map(Number),
      stats: {
        tokens: generated.length,
        promptTokens: rendered.tokens.length,
        timeToFirstTokenMs: (firstTokenAt || performance.now()) - started,
        tokensPerSecond: generated.length > 1 ? (generated.length - 1) / Math.max(seconds, 1e-6) : 0,
        stopReason,
        droppedTurns: rendered.dropped,
      },
    });
  });
}

async function handle(request: EngineRequest): Promise<void> {
  switch (request.type) {
    case 'load': {
      const { llama: binary, build } = await llamaFor(request.modelPath, request.needsLightSeedBuild);
      if (loaded) await loaded.model.dispose();
      loaded = undefined;
      adapterRecency.clear();
      const model = await loadOrSay(binary, request.modelPath, false);
      const threadSpeeds = request.threads > 0 ? null : await measureThreads(model, threadCandidates(availableParallelism()));
      const threads = threadSpeeds ? fastestThreads(threadSpeeds) : request.threads;
      loaded = { model, path: request.modelPath, threads, contextSize: request.contextSize, contexts: new Map() };
      send({
        id: request.id,
        type: 'loaded',
        info: {
          path: request.modelPath,
          vocabularySize: model.fileInfo.metadata.tokenizer.ggml.tokens.length,
          contextSize: request.contextSize,
          threads,
          threadSpeeds,
          trainContextSize: model.trainContextSize,
          build,
        },
      });
      return;
    }
    case 'check': {
      // A trial load for `models add`: llama.cpp's own checks (the tensors its architecture needs,
      // their shapes, every block's scale finite), a small context and one token through the graph.
      const { llama: binary, build } = await llamaFor(request.modelPath, request.needsLightSeedBuild);
      const model = await loadOrSay(binary, request.modelPath, true);
      try {
        const context = await model.createContext({ contextSize: Math.min(256, model.trainContextSize || 256), threads: 1 });
        try {
          const first = model.tokens.bos ?? (0 as Token);
          const [result] = await context.getSequence().controlledEvaluate([[first, { generateNext: { logits: true } }]]);
          const logits = [...(result?.next?.logits?.values() ?? [])];
          if (logits.length === 0 || logits.some((value) => Number.isNaN(value))) throw new Error('llama.cpp computed NaN logits from it: its weights are damaged.');
        } finally {
          await context.dispose();
        }
        send({ id: request.id, type: 'checked', build, trainContextSize: model.trainContextSize });
      } finally {
        await model.dispose();
      }
      return;
    }
    case 'generate':
      return generate(request);
    case 'logits':
      return withSequence(request.adapters, async (sequence, loaded) => {
        const tokens: number[] = request.tokens ?? loaded.model.tokenize(request.prompt ?? '', true);
        if (tokens.length === 0) throw new Error('Nothing to evaluate: the prompt has no tokens.');
        const items = tokens.map((token, i) => (i === tokens.length - 1 ? ([token, { generateNext: { logits: true } }] as const) : token));
        const results = await sequence.controlledEvaluate(items as never);
        const logits = new Float32Array(loaded.model.fileInfo.metadata.tokenizer.ggml.tokens.length);
        for (const [token, logit] of results.at(-1)?.next?.logits ?? []) logits[token] = logit;
        send({ id: request.id, type: 'logits', logits });
      });
    case 'score':
      return withSequence(request.adapters, async (sequence, loaded) => {
        const tokens = loaded.model.tokenize(request.text, true);
        if (tokens.length < 2) throw new Error('Scoring needs a text of at least two tokens.');
        if (tokens.length > loaded.contextSize) throw new Error(`The text has ${tokens.length} tokens; the context holds ${loaded.contextSize}.`);
        const items = tokens.slice(0, -1).map((token) => [token, { generateNext: { logits: true } }] as const);
        const results = await sequence.controlledEvaluate(items as never);
        let nll = 0;
        results.forEach((result, i) => {
          const logits = result?.next?.logits;
          if (!logits) throw new Error('llama.cpp returned no logits.');
          let max = -Infinity;
          for (const [, logit] of logits) max = Math.max(max, logit);
          let sum = 0;
          for (const [, logit] of logits) sum += Math.exp(logit - max);
          nll -= (logits.get(tokens[i + 1]!) ?? -Infinity) - max - Math.log(sum);
        });
        send({ id: request.id, type: 'score', tokens: tokens.length - 1, nll });
      });
    case 'status':
      send({ id: request.id, type: 'status', adaptersLoaded: loaded ? adapterCache(loaded)?.size ?? 0 : 0 });
      return;
    case 'abort':
      aborted.add(request.target);
      send({ id: request.id, type: 'ok' });
      return;
    case 'unload':
      if (loaded) await loaded.model.dispose();
      loaded = undefined;
      send({ id: request.id, type: 'ok' });
      return;
  }
}

/** Tokens decoded at each thread count (after two to warm up): enough for a median, under a second on a 2B model. */
const MEASURED_TOKENS = 6;

/** Decoding speed at each count: the median time of single-token steps, each sampling its next token in llama.cpp (the output layer included). */
async function measureThreads(model: LlamaModel, candidates: number[]): Promise<ThreadSpeed[]> {
  const speeds: ThreadSpeed[] = [];
  for (const threads of candidates) {
    const context = await model.createContext({ contextSize: 64, threads });
    try {
      const sequence = context.getSequence();
      let token = model.tokens.bos ?? (0 as Token);
      const times: number[] = [];
      for (let i = 0; i < MEASURED_TOKENS + 2; i++) {
        const started = performance.now();
        const [result] = await sequence.controlledEvaluate([[token, { generateNext: { token: true, options: { temperature: 0 } } }]]);
        if (i >= 2) times.push(performance.now() - started);
        token = result?.next?.token ?? token;
      }
      times.sort((a, b) => a - b);
      speeds.push({ threads, tokensPerSecond: 1000 / times[times.length >> 1]! });
    } finally {
      await context.dispose();
    }
  }
  return speeds;
}

/** Loads a model; a refusal names the file and llama.cpp's own reason in one sentence. */
async function loadOrSay(binary: LoadedLlama['llama'], modelPath: string, checkTensors: boolean): Promise<LlamaModel> {
  takeLlamaError();
  try {
    return await binary.loadModel({ modelPath, gpuLayers: 0, checkTensors });
  } catch (error) {
    // llama.cpp's log lines reach JavaScript through the event loop, after the rejection.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reason = takeLlamaError() ?? (error instanceof Error ? error.message : String(error));
    throw new Error(`llama.cpp could not load ${modelPath}: ${reason}`, { cause: error });
  }
}

/**
 * The llama.cpp a model runs on: LightSeed's build, or the prebuilt one where ours is missing. A
 * model that needs LightSeed's build (a bitnet model with ReLU², as the registry decided with
 * needsLightSeedBuild) runs only on a llama.cpp that honours its activation: the prebuilt one
 * would silently use SiLU (BitNet b1.58 2B4T's perplexity 99.8 instead of 17.1), so it is refused
 * there.
 */
async function llamaFor(modelPath: string, needsLightSeedBuild: boolean): Promise<LoadedLlama> {
  const chosen = await llamaBuild(preferredBuild());
  if (!needsLightSeedBuild || (await honoursActivation(chosen.llama))) return chosen;
  throw new Error(
    `${modelPath} needs a ReLU² feed-forward, which only LightSeed's own llama.cpp build computes, and it is not built here (npm run build:llama, with cmake and a C++ compiler): the prebuilt llama.cpp would run it with SiLU and answer poorly, so it is not loaded.`,
  );
}

/** Work on the model runs one request at a time (one context sequence); aborts jump the queue. */
let queue: Promise<void> = Promise.resolve();

function receive(request: EngineRequest): void {
  const run = () => handle(request).catch((error: unknown) => send({ id: request.id, type: 'error', message: error instanceof Error ? error.message : String(error) }));
  if (request.type === 'abort') void run();
  else queue = queue.then(run);
}

if (parentPort) parentPort.on('message', (event) => receive(event.data));
else {
  process.on('message', receive);
  process.on('disconnect', () => process.exit(0));
}
