// @ts-check
// The line-in capture program, run where node-web-audio-api cannot disturb the app:
// - in a worker thread, it captures: it opens the graph, forwards each callback's
//   Float32 frames (transferred, not copied) and closes on request; the conversion
//   to samples happens in the typed code of audio.node.ts;
// - in a short-lived child process, it lists the inputs: the native library prints
//   JACK probing errors on standard output, which the child's parent ignores; the
//   answer comes back over the IPC channel.
// audio.node.ts imports this file as text (`?raw`) and evaluates it, so no bundle needs an
// entry of its own for it; it is type-checked (checkJs) and linted like any other file.
// Every callback catches: a throw there would end the program without saying why.
'use strict';
const { isMainThread, parentPort, workerData } = require('node:worker_threads');

/**
 * The parts of node-web-audio-api this program uses (its own typings pull in the DOM's,
 * which would change the Node code's globals).
 * @typedef {{ deviceId: string, kind: string, label: string }} DeviceInfo
 * @typedef {{ disconnect(): void, connect(node: unknown): void }} AudioNodeLike
 * @typedef {{ length: number, copyFromChannel(into: Float32Array, channel: number): void }} AudioBufferLike
 * @typedef {AudioNodeLike & { channelInterpretation: string, onaudioprocess: ((event: { inputBuffer: AudioBufferLike }) => void) | null }} ScriptProcessorLike
 * @typedef {{ state: string, sampleRate: number, destination: unknown, createScriptProcessor(frames: number, inputs: number, outputs: number): ScriptProcessorLike, resume(): Promise<void>, close(): Promise<void> }} AudioContextLike
 * @typedef {{
 *   mediaDevices: { getUserMedia(constraints: { audio: Record<string, unknown> }): Promise<unknown>, enumerateDevices(): Promise<DeviceInfo[]> },
 *   AudioContext: new (options: { sampleRate: number, sinkId: { type: 'none' } }) => AudioContextLike,
 *   MediaStreamAudioSourceNode: new (context: AudioContextLike, options: { mediaStream: unknown }) => AudioNodeLike,
 * }} AudioModule
 * @typedef {import('./audio.node').CaptureRequest} CaptureRequest
 * @typedef {import('./audio.node').CaptureMessage} CaptureMessage
 * @typedef {import('./audio.node').InputListAnswer} InputListAnswer
 */

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

if (isMainThread) listInputs();
else capture(/** @type {CaptureRequest} */ (workerData));

/** Child-process job: the inputs, sent to the parent; the module path is the first argument. */
function listInputs() {
  /** @param {InputListAnswer} answer */
  const answer = (answer) => {
    if (!process.send) throw new Error('The audio input list runs as a child process with an IPC channel.');
    process.send(answer, () => process.exit(0));
  };
  try {
    /** @type {AudioModule} */
    const audio = require(/** @type {string} */ (process.argv[1]));
    audio.mediaDevices.enumerateDevices().then(
      (devices) => answer({ inputs: devices.filter((d) => d.kind === 'audioinput').map((d) => ({ id: d.deviceId, label: d.label })) }),
      (error) => answer({ error: messageOf(error) }),
    );
  } catch (error) {
    answer({ error: messageOf(error) });
  }
}

/** @param {CaptureRequest} request */
function capture(request) {
  const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
  /** @param {CaptureMessage} message @param {ArrayBuffer[]} [transfer] */
  const post = (message, transfer) => port.postMessage(message, transfer);
  /** @type {{ context?: AudioContextLike, source?: AudioNodeLike, processor?: ScriptProcessorLike }} */
  const graph = {};
  let closing = false;

  async function start() {
    /** @type {AudioModule} */
    const audio = require(request.modulePath);
    /** @type {Record<string, unknown>} */
    const constraints = { sampleRate: request.sampleRate, channelCount: 1, latency: request.latency };
    if (request.deviceId !== undefined) constraints.deviceId = request.deviceId;
    const stream = await audio.mediaDevices.getUserMedia({ audio: constraints });
    if (closing) return; // closed while opening (the open timed out): build nothing more
    // No output device: the noise is only recorded, and a machine without speakers still captures.
    const context = new audio.AudioContext({ sampleRate: request.sampleRate, sinkId: { type: 'none' } });
    graph.context = context;
    graph.source = new audio.MediaStreamAudioSourceNode(context, { mediaStream: stream });
    const processor = context.createScriptProcessor(request.bufferFrames, 1, 1);
    graph.processor = processor;
    // A ScriptProcessorNode mixes its input to one channel; "discrete" keeps the first
    // channel as it is (Web Audio API §4.4) where "speakers" would average a stereo-only
    // input's two channels.
    processor.channelInterpretation = 'discrete';
    processor.onaudioprocess = (event) => {
      try {
        const frames = new Float32Array(event.inputBuffer.length);
        event.inputBuffer.copyFromChannel(frames, 0);
        post({ type: 'frames', frames }, [frames.buffer]);
      } catch (error) {
        post({ type: 'failed', message: messageOf(error) });
      }
    };
    graph.source.connect(processor);
    // Web Audio renders only what leads to the destination; the processor outputs silence.
    processor.connect(context.destination);
    if (context.state === 'suspended') await context.resume();
    post({ type: 'started', sampleRate: context.sampleRate });
  }

  async function close() {
    closing = true;
    if (graph.processor) {
      graph.processor.onaudioprocess = null;
      graph.processor.disconnect();
    }
    if (graph.source) graph.source.disconnect();
    if (graph.context && graph.context.state !== 'closed') await graph.context.close();
    // napi-rs settles close()'s promise from a tokio thread, which releases its
    // thread-safe function (and drops its handle on the context) just after: the worker
    // must outlive that, or the release lands on a torn-down environment and aborts the
    // whole process (seen as SIGABRT in uv_mutex_lock under napi_release_threadsafe_function).
    await new Promise((resolve) => setTimeout(resolve, request.settleMs));
    post({ type: 'closed' });
  }

  port.on('message', (message) => {
    if (message === 'close') close().catch((error) => post({ type: 'close-failed', message: messageOf(error) }));
  });
  start().catch((error) => post({ type: 'open-failed', message: messageOf(error) }));
}
