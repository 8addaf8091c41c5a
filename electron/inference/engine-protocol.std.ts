// Messages between the main process and the inference engine process (an Electron
// utility process in the app, a Node child process in CLI and browser mode).
import type { ThreadSpeed } from './thread-choice.std';

export interface SamplerSettings {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  repeatPenalty: number;
  repeatLastN: number;
  /** Token id → bias added to its logit. */
  tokenBias?: [number, number][];
}

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The context the engine loads a model with, at most: what the catalog's memory estimates assume too. */
export const LOADED_CONTEXT = 4096;

export interface AdapterRef {
  path: string;
  scale: number;
}

/**
 * How many adapter files stay loaded. llama.cpp keeps every adapter it has read until the model
 * unloads (about 8.5 MB an agent at the 2B shape), so fifty agents chatting in turn would hold
 * fifty. The least recently used beyond this many are freed (reading one again takes a few
 * milliseconds): room for the four noise adapters, drawn for every answer, and the last eight
 * agents' own.
 */
export const ADAPTERS_KEPT = 12;

export type EngineRequest =
  /** threads 0: decode a few tokens at each candidate count first, and keep the fastest. */
  | { id: number; type: 'load'; modelPath: string; threads: number; contextSize: number; needsLightSeedBuild: boolean }
  /** A trial load with llama.cpp's tensor checks, a small context and one token: what `models add` asks. */
  | { id: number; type: 'check'; modelPath: string; needsLightSeedBuild: boolean }
  | {
      id: number;
      type: 'generate';
      /** A conversation rendered with the model's chat template, or raw text. */
      messages?: ChatTurn[];
      prompt?: string;
      maxTokens: number;
      stop: string[];
      sampler: SamplerSettings;
      /** Entropy for this generation's DRBG (at least 32 bytes, from the entropy pool). */
      seed: Uint8Array;
      adapters: AdapterRef[];
    }
  | { id: number; type: 'logits'; tokens?: number[]; prompt?: string; adapters: AdapterRef[] }
  /** Negative log-likelihood of a text under the model (for perplexity). */
  | { id: number; type: 'score'; text: string; adapters: AdapterRef[] }
  | { id: number; type: 'abort'; target: number }
  /** What the loaded model holds now: how many adapter files llama.cpp keeps loaded. */
  | { id: number; type: 'status' }
  | { id: number; type: 'unload' };

export interface GenerationStats {
  tokens: number;
  promptTokens: number;
  /** Milliseconds from the request to the first generated token. */
  timeToFirstTokenMs: number;
  tokensPerSecond: number;
  stopReason: 'eos' | 'stop' | 'maxTokens' | 'aborted';
  /** Prompt turns dropped to fit the context window (oldest first, the system prompt kept). */
  droppedTurns: number;
}

export interface LoadedModelInfo {
  path: string;
  vocabularySize: number;
  contextSize: number;
  threads: number;
  /** What decoding measured at each thread count, where the load was asked to choose (threads 0). */
  threadSpeeds: ThreadSpeed[] | null;
  trainContextSize: number;
  /** Which llama.cpp runs it: LightSeed's patched build, or node-llama-cpp's prebuilt one. */
  build: 'lightseed' | 'prebuilt';
}

export type EngineReply =
  | { id: number; type: 'loaded'; info: LoadedModelInfo }
  | { id: number; type: 'token'; text: string; token: number }
  | { id: number; type: 'done'; text: string; stats: GenerationStats; /** The generated token ids, in order. */ tokens: number[] }
  | { id: number; type: 'logits'; logits: Float32Array }
  /** `tokens` scored (all but the first), their summed −ln p in nats. */
  | { id: number; type: 'score'; tokens: number; nll: number }
  | { id: number; type: 'checked'; build: 'lightseed' | 'prebuilt'; trainContextSize: number }
  | { id: number; type: 'status'; adaptersLoaded: number }
  | { id: number; type: 'ok' }
  | { id: number; type: 'error'; message: string };
