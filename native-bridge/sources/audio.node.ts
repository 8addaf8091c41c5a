// `audio:DEVICE?bits=K`: live line-in capture for CRT and radio-static rigs, 48 kHz
// mono, the low K bits of each 16-bit sample. Capture goes through node-web-audio-api
// (web-audio-api-rs over cpal: ALSA on Linux, CoreAudio, WASAPI): getUserMedia →
// MediaStreamAudioSourceNode → ScriptProcessorNode, whose callback hands Float32
// frames to JavaScript.
//
// What the library does, and what this file does about it:
// - cpal turns an i16 sample s into the float s / 32768 (dasp_sample conv.rs), so
//   x * 32768 gives back the ADC's integer exactly. Scaling by 32767 instead would
//   move the low bits of every sample above half scale.
// - When the capture thread is late, web-audio-api-rs renders a 128-frame quantum of
//   silence in its place (src/io/microphone.rs, "frame not received in time, emit
//   silence"). Those zeros never came from the device, so whole all-zero quanta are
//   left out; a line-in carrying noise never gives 128 exact zeros in a row.
// - node-web-audio-api 1.0.9 gives no way to stop a capture (its MediaStream has no
//   getTracks()/stop()), and a ScriptProcessorNode holds a referenced thread-safe
//   function until it is garbage-collected, which keeps Node's event loop alive. So
//   the capture graph lives in a worker thread: dispose closes the context there
//   (its render thread holds the stream), then terminates the worker, whose
//   Node-API finalizers drop the stream; the device is released and the process can
//   exit. It also keeps audio callbacks off a main thread busy with the harvest.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { asError } from '../util/as-error.std';
import { definedOnly } from '../util/defined-only.std';
import { LiveStream } from './live-stream.std';
// The capture program, a checked file of its own, as text: evaluated in a worker, and in a child process.
import CAPTURE_PROGRAM from './audio-capture.node.cjs?raw';
import { checkParams, intParam, type ParsedSourceUri } from './source-uri.std';
import { SourceError, type SampleSource, type SourceInfo } from './source.std';
import { lowBitsOfInt16 } from './wav-format.std';

export interface AudioSourceOptions {
  /** Milliseconds without a frame of sound after which the source counts as stalled. Default 3000. */
  stallTimeoutMs?: number;
  /** Milliseconds to wait for the device to open and the capture to start. Default 10000. */
  openTimeoutMs?: number;
  /** Frames per ScriptProcessor callback: a power of two from 256 to 16384. Default 4096 (85 ms at 48 kHz). */
  bufferFrames?: number;
  /** Bytes buffered ahead of the consumer; beyond it frames are dropped (live audio cannot wait). Default 4 MiB. */
  highWaterMark?: number;
}

export interface AudioInput {
  /** node-web-audio-api's deviceId: a hash of the backend's device name, stable while the device is. */
  id: string;
  /** The backend's name for the device (the ALSA PCM name on Linux, e.g. `default`, `hw:CARD=Device,DEV=0`). */
  label: string;
}

export interface AudioCaptureStats {
  /** Frames passed on as samples. */
  capturedFrames: number;
  /** All-zero render quanta left out (late capture buffers, or a silent input). */
  silentQuanta: number;
  /** Frames of sound dropped while the consumer was behind. */
  droppedFrames: number;
}

/** An opened audio source, with capture counts for diagnostics. */
export interface AudioSampleSource extends SampleSource {
  readonly stats: AudioCaptureStats;
}

const DEFAULTS = {
  stallTimeoutMs: 3000,
  openTimeoutMs: 10_000,
  bufferFrames: 4096,
  highWaterMark: 4 << 20,
} satisfies Required<AudioSourceOptions>;

/** The rate the architecture fixes for line-in rigs. */
const SAMPLE_RATE = 48_000;
/** Web Audio API §1.1: every node renders 128 frames at a time. */
const RENDER_QUANTUM = 128;
/**
 * Capture period asked of the device, in seconds. web-audio-api-rs rounds latency ×
 * rate up to a power of two (1024 frames, 21 ms): long enough that ALSA does not
 * overrun, short against the three periods its capture channel holds.
 */
const CAPTURE_LATENCY_S = 0.02;
/** How long dispose waits for the worker to close its context before terminating it anyway. */
const CLOSE_TIMEOUT_MS = 2000;
/**
 * How long the worker lives on after its context closed, for node-web-audio-api's
 * native threads to finish releasing what belongs to it (see the worker's close()).
 * Terminating at once aborted the process in about one dispose in ten.
 */
const SETTLE_MS = 100;

/** What the capture worker is told. */
export interface CaptureRequest {
  modulePath: string;
  /** Milliseconds the worker waits after closing its context before saying it closed. */
  settleMs: number;
  deviceId: string | undefined;
  sampleRate: number;
  latency: number;
  bufferFrames: number;
}

/** What the capture worker says. */
export type CaptureMessage =
  | { type: 'started'; sampleRate: number }
  | { type: 'frames'; frames: Float32Array }
  | { type: 'open-failed' | 'failed' | 'close-failed'; message: string }
  | { type: 'closed' };

/** What the input-listing child process answers. */
export type InputListAnswer = { inputs: AudioInput[]; error?: undefined } | { error: string; inputs?: undefined };

/** How long listing the inputs may take, JACK and ALSA probing included. */
const LIST_TIMEOUT_MS = 15_000;

function unavailable(error: unknown): SourceError {
  return new SourceError(
    'unreachable',
    `Audio capture is unavailable: node-web-audio-api did not load (${asError(error).message}). On Linux it needs the ALSA library: install libasound2 (apt install libasound2), then restart LightSeed.`,
    { cause: error },
  );
}

/**
 * The audio inputs the capture backend sees now, in its order. Asked in a short-lived
 * child process running the capture program: the native library prints JACK probing
 * errors on standard output, which must not mix into ours (`lightseed sources --json`),
 * so the child's output is dropped and its answer comes over IPC.
 */
export async function listAudioInputs(): Promise<AudioInput[]> {
  const modulePath = audioModulePath();
  const answer = await new Promise<InputListAnswer>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CAPTURE_PROGRAM, modulePath], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      timeout: LIST_TIMEOUT_MS,
    });
    let stderr = '';
    let answered: InputListAnswer | undefined;
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    child.on('message', (message: InputListAnswer) => (answered = message));
    child.on('error', (error) => reject(unavailable(error)));
    child.on('exit', (code, signal) => {
      if (answered) return resolve(answered);
      const why = signal === 'SIGTERM' ? `no answer within ${LIST_TIMEOUT_MS / 1000} s` : `the listing ended with ${signal ?? `code ${code}`}`;
      reject(unavailable(new Error(`${why}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`)));
    });
  });
  if (answer.error !== undefined) {
    throw new SourceError('unreachable', `Listing the audio inputs failed: ${answer.error}. Check that the sound system is running (ALSA, PipeWire or PulseAudio on Linux).`);
  }
  return answer.inputs;
}

function audioModulePath(): string {
  try {
    return createRequire(import.meta.url).resolve('node-web-audio-api');
  } catch (error) {
    throw unavailable(error);
  }
}

export async function openAudioSource(parsed: ParsedSourceUri, options: AudioSourceOptions = {}): Promise<AudioSampleSource> {
  checkParams(parsed, ['bits']);
  const bits = intParam(parsed, 'bits', 4, 1, 8);
  const target = parsed.target.trim();
  if (!target) throw new SourceError('config', 'An audio source needs a device: audio:default, or an input id or part of its name (as listed under audio inputs).');
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const { bufferFrames, stallTimeoutMs, openTimeoutMs } = settings;
  if (!Number.isInteger(Math.log2(bufferFrames)) || bufferFrames < 256 || bufferFrames > 16384) {
    throw new SourceError('config', `bufferFrames must be a power of two from 256 to 16384 (the ScriptProcessorNode sizes), not ${bufferFrames}.`);
  }
  if (!(stallTimeoutMs > 0) || !(openTimeoutMs > 0)) throw new SourceError('config', `stallTimeoutMs and openTimeoutMs must be positive, not ${stallTimeoutMs} and ${openTimeoutMs}.`);

  const inputs = await listAudioInputs();
  const input = chooseInput(target, inputs);
  const label = input?.label ?? 'default';
  const request: CaptureRequest = { modulePath: audioModulePath(), settleMs: SETTLE_MS, deviceId: input?.id, sampleRate: SAMPLE_RATE, latency: CAPTURE_LATENCY_S, bufferFrames };
  return AudioSource.open(request, { target, label, input, bits, inputs }, settings, () => listAudioInputs());
}

/**
 * DEVICE is an input's id, its exact label, `default`, or a case-insensitive part of
 * one label. Returns undefined for the system default input.
 */
function chooseInput(target: string, inputs: AudioInput[]): AudioInput | undefined {
  const exact = inputs.find((input) => input.id === target) ?? inputs.find((input) => input.label === target);
  if (exact) return exact;
  if (target === 'default') return undefined;
  const needle = target.toLowerCase();
  const matches = inputs.filter((input) => input.label.toLowerCase().includes(needle));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new SourceError('config', `"${target}" matches ${matches.length} audio inputs (${matches.map((input) => `"${input.label}"`).join(', ')}): use more of the name, or the input's id. ${describeInputs(inputs)}`);
  }
  throw new SourceError('unreachable', `No audio input matches "${target}". ${describeInputs(inputs)} Plug the rig's sound card in, or use audio:default.`);
}

function describeInputs(inputs: AudioInput[]): string {
  if (inputs.length === 0) return 'No audio inputs are available at all: check that a sound card or USB audio interface is connected and that the sound system sees it (arecord -l on Linux).';
  return `Available inputs: ${inputs.map((input) => `"${input.label}" (id ${input.id})`).join(', ')}.`;
}

interface Target {
  /** DEVICE as the URI gave it. */
  target: string;
  label: string;
  input: AudioInput | undefined;
  bits: number;
  /** The inputs listed when the source was opened, for messages. */
  inputs: AudioInput[];
}

function describeAudio({ target, label, input, bits }: Target, sampleRate: number): SourceInfo {
  return {
    uri: `audio:${target}?bits=${bits}`,
    kind: 'audio',
    bitsPerSample: bits,
    // The name, not the hashed id: the name is what stays the same when the user plugs
    // the same interface back in; the rate and bits shape the samples.
    deviceId: `audio:${label}/${sampleRate}Hz/mono/bits=${bits}`,
    description: `Line-in "${label}" (${sampleRate} Hz mono, low ${bits} ${bits === 1 ? 'bit' : 'bits'} of 16-bit samples)`,
    metadata: { label, ...(input ? { inputId: input.id } : {}), sampleRate, channels: 1, bits },
    nominalRate: sampleRate,
  };
}

class AudioSource implements AudioSampleSource {
  readonly #label: string;
  readonly #bits: number;
  readonly #listInputs: () => Promise<AudioInput[]>;
  /** Without a pause hook: while the consumer is behind, frames are dropped (live audio cannot wait). */
  readonly #stream: LiveStream;
  #info: SourceInfo | undefined;
  #worker: Worker | undefined;
  #onClosed: (() => void) | undefined;
  #silentQuanta = 0;
  #capturedFrames = 0;
  #droppedFrames = 0;

  private constructor(label: string, bits: number, settings: Required<AudioSourceOptions>, listInputs: () => Promise<AudioInput[]>) {
    this.#label = label;
    this.#bits = bits;
    this.#listInputs = listInputs;
    this.#stream = new LiveStream(
      { name: `The audio source "${label}"`, highWaterMark: settings.highWaterMark, stallTimeoutMs: settings.stallTimeoutMs },
      {
        onStall: (quietMs) => this.#stream.fail(this.#stallCause(quietMs)),
        release: async () => {
          try {
            await this.#stop();
            return undefined;
          } catch (error) {
            return asError(error);
          }
        },
      },
    );
  }

  /** Starts the capture worker and resolves once frames flow, or rejects with a SourceError naming the input. */
  static open(request: CaptureRequest, target: Target, settings: Required<AudioSourceOptions>, listInputs: () => Promise<AudioInput[]>): Promise<AudioSource> {
    const source = new AudioSource(target.label, target.bits, settings, listInputs);
    return new Promise((resolve, reject) => {
      let opening = true;
      const worker = new Worker(CAPTURE_PROGRAM, { eval: true, workerData: request });
      source.#worker = worker;
      const giveUp = (error: SourceError) => {
        opening = false;
        clearTimeout(timer);
        // Closing what the worker opened may fail too; the error is the news either way.
        void source.#stream.release().then(() => reject(error));
      };
      const timer = setTimeout(() => {
        giveUp(new SourceError('unreachable', `The audio input "${target.label}" did not start capturing within ${settings.openTimeoutMs} ms: check that no other program holds it and that its driver responds (arecord on Linux).`));
      }, settings.openTimeoutMs);

      worker.on('message', (message: CaptureMessage) => {
        // A throw from a worker callback goes nowhere: route every failure.
        try {
          if (message.type === 'frames') return source.#onFrames(message.frames);
          if (message.type === 'closed') return source.#onClosed?.();
          if (message.type === 'close-failed') {
            console.warn(`LightSeed: closing the audio input "${target.label}" failed (${message.message}); terminating its capture worker releases it anyway.`);
            return source.#onClosed?.();
          }
          if (message.type === 'started' && opening) {
            opening = false;
            clearTimeout(timer);
            source.#info = describeAudio(target, message.sampleRate);
            source.#stream.watch();
            return resolve(source);
          }
          if (message.type === 'open-failed' && opening) {
            return giveUp(
              new SourceError(
                'unreachable',
                `Could not open the audio input "${target.label}": ${message.message}. Check that it is plugged in, that no other program holds it exclusively, and that it can record at ${SAMPLE_RATE} Hz. ${describeInputs(target.inputs)}`,
              ),
            );
          }
          if (message.type === 'failed') source.#stream.fail(new SourceError('disconnected', `Capture from the audio input "${target.label}" failed: ${message.message}. Check the device and harvest again.`));
        } catch (error) {
          source.#stream.fail(new SourceError('protocol', `Reading frames from the audio input "${target.label}" failed: ${asError(error).message}.`, { cause: error }));
        }
      });
      worker.on('error', (error) => {
        const failure = new SourceError('disconnected', `The capture of the audio input "${target.label}" crashed: ${error.message}.`, { cause: error });
        if (opening) giveUp(new SourceError('unreachable', failure.message, { cause: error }));
        else source.#stream.fail(failure);
      });
      worker.on('exit', (code) => {
        if (source.#worker !== worker) return;
        source.#worker = undefined;
        const failure = new SourceError('disconnected', `The capture of the audio input "${target.label}" stopped on its own (worker exit code ${code}). Harvest again; if it repeats, check the device.`);
        if (opening) giveUp(new SourceError('unreachable', failure.message));
        else source.#stream.fail(failure);
      });
    });
  }

  get info(): SourceInfo {
    if (!this.#info) throw new Error('The audio source is still opening.');
    return this.#info;
  }

  get stats(): AudioCaptureStats {
    return { capturedFrames: this.#capturedFrames, silentQuanta: this.#silentQuanta, droppedFrames: this.#droppedFrames };
  }

  samples(): AsyncIterable<Uint8Array> {
    return this.#stream.samples();
  }

  async dispose(): Promise<void> {
    const error = await this.#stream.dispose();
    if (error) throw new SourceError('unreachable', `Stopping the audio input "${this.#label}" failed: ${error.message}.`, { cause: error });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  #onFrames(frames: Float32Array): void {
    if (this.#stream.finished) return;
    const out = new Uint8Array(frames.length);
    let count = 0;
    for (let start = 0; start < frames.length; start += RENDER_QUANTUM) {
      const end = Math.min(start + RENDER_QUANTUM, frames.length);
      if (isSilent(frames, start, end)) {
        this.#silentQuanta++;
        continue;
      }
      for (let i = start; i < end; i++) out[count++] = lowBitsOfInt16(toInt16(frames[i]!), this.#bits);
    }
    if (count === 0) return;
    this.#capturedFrames += count;
    if (this.#stream.pressured) {
      this.#droppedFrames += count;
      return;
    }
    this.#stream.deliver(out.subarray(0, count));
  }

  /**
   * Why the input went quiet: still listed means it is there but silent; gone from the
   * list means unplugged. A listing that fails cannot tell, and the stall is then
   * reported as it was seen.
   */
  async #stallCause(quietMs: number): Promise<SourceError> {
    const present = await this.#listInputs()
      .then((inputs) => inputs.some((input) => input.label === this.#label) || this.#label === 'default')
      .catch(() => true);
    const seconds = (quietMs / 1000).toFixed(1);
    return present
      ? new SourceError(
          'stalled',
          `The audio input "${this.#label}" delivered no sound for ${seconds} s (${this.#silentQuanta * RENDER_QUANTUM} frames of digital silence${this.#capturedFrames ? ` after ${this.#capturedFrames} frames of sound` : ''}): check that the rig is connected to this input, that the input is not muted and its capture level is up (alsamixer on Linux), and that no other program took the device.`,
        )
      : new SourceError('disconnected', `The audio input "${this.#label}" went away after ${this.#capturedFrames} frames: it was unplugged or its driver stopped. Plug it back in and harvest again.`);
  }

  /** Closes the context inside the worker, then terminates the worker, which releases the device. */
  async #stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('exit', done);
        resolve();
      };
      // A worker that hangs is terminated anyway; one that already ended needs nothing.
      const timer = setTimeout(done, CLOSE_TIMEOUT_MS);
      this.#onClosed = done;
      worker.once('exit', done);
      worker.postMessage('close');
    });
    await worker.terminate();
  }
}

/** An exact-zero render quantum: web-audio-api-rs's stand-in for a late capture buffer, or a dead input. */
function isSilent(frames: Float32Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (frames[i] !== 0) return false;
  return true;
}

/** The 16-bit sample cpal turned into x = s / 32768, clamped for inputs that are not 16-bit. */
function toInt16(x: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(x * 32768)));
}
