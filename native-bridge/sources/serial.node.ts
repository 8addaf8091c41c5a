// `serial:PATH?baud=N&format=raw|hex|mightyohm|gmc|pulses`: USB serial noise devices
// (TrueRNG, OneRNG, Geiger counters, microcontrollers). The byte formats live in
// serial-formats/, the USB IDs in serial-devices.std.ts, the start and stop commands in
// serial-handshakes.node.ts, the URI and the device's identity in serial-settings.std.ts;
// this file is the shell: the port, its unplug watch, and the live stream's hooks.
import { realpath, stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { asError } from '../util/as-error.std';
import { LiveStream } from './live-stream.std';
import { describeSerialPort, nameSerialDevice, type SerialPortDescription, type SerialPortFacts } from './serial-devices.std';
import { GMC_COMMANDS } from './serial-formats/gmc.std';
import { describeOpenFailure, describeSerial, FORMAT_DEVICE_NAMES, readSerialSettings, type SerialIdentity, type SerialSettings } from './serial-settings.std';
import { ReplyBuffer, startSent, startSerialDevice, stopCommand, type SerialConversation, type SerialLink } from './serial-handshakes.node';
import { createSerialParser, type SerialFormat, type SerialFormatParser } from './serial-formats/serial-format.std';
import type { ParsedSourceUri } from './source-uri.std';
import { SourceError, type SampleSource, type SourceInfo } from './source.std';

export interface SerialOptions {
  /**
   * Milliseconds without a byte from the device, while the consumer keeps up, after
   * which the source fails as stalled. Default 5000; for pulses 60000, because at
   * background rates seconds pass between Geiger pulses. gmc and mightyohm report
   * once a second, so they get at least 3000 whatever is asked.
   */
  stallTimeoutMs?: number;
  /** Milliseconds to open the port and finish the device's handshake (gmc's <GETVER>>). Default 5000. */
  openTimeoutMs?: number;
  /** Malformed lines in a row after which the device counts as speaking another format or baud rate. Default 20. */
  maxMalformedLines?: number;
  /** Bytes buffered ahead of the consumer before the port is paused. Default 4 MiB. */
  highWaterMark?: number;
  /**
   * What the OS knows about the port at a path (USB IDs, serial number), or
   * undefined when it is not listed. Default: SerialPort.list(), matched by path
   * or by the device node a symlink such as /dev/serial/by-id/… points to.
   */
  lookupPort?: (path: string) => Promise<SerialPortFacts | undefined>;
}

/** A serial source also counts the lines it had to skip. */
export interface SerialSampleSource extends SampleSource {
  /** Lines skipped so far because they did not follow the format (also in info.metadata.malformedLines). */
  readonly malformedLines: number;
}

const DEFAULT_STALL_MS = 5000;
const PULSES_STALL_MS = 60_000;
/** Geiger counters report once a second: allow a few missed seconds before calling it a stall. */
const ONCE_A_SECOND_MIN_STALL_MS = 3000;
const DEFAULT_OPEN_TIMEOUT_MS = 5000;
const DEFAULT_MAX_MALFORMED_LINES = 20;
const DEFAULT_HIGH_WATER_MARK = 4 << 20;
/** How long a stop command (cmdo, <HEARTBEAT0>>) may take on its way out before the port closes anyway. */
const STOP_COMMAND_TIMEOUT_MS = 500;
/** How often the device node is checked for the unplug that the port itself may not report. */
const DEVICE_NODE_CHECK_MS = 250;

interface ResolvedOptions {
  stallTimeoutMs: number;
  openTimeoutMs: number;
  maxMalformedLines: number;
  highWaterMark: number;
}

export async function openSerialSource(parsed: ParsedSourceUri, options: SerialOptions = {}): Promise<SerialSampleSource> {
  const settings = readSerialSettings(parsed);
  const resolved = resolveOptions(settings.format, options);
  const startedAt = Date.now();
  const port = await openPort(settings.path, settings.baud, resolved.openTimeoutMs);
  try {
    const identity = await identify(settings, options.lookupPort ?? findPort);
    return await SerialSource.start(port, settings, identity, resolved, startedAt + resolved.openTimeoutMs);
  } catch (error) {
    if (port.isOpen) await closePort(port);
    throw error;
  }
}

/** The serial ports attached now, with known devices named. */
export async function listSerialPorts(): Promise<SerialPortDescription[]> {
  try {
    return (await SerialPort.list()).map(describeSerialPort);
  } catch (error) {
    throw new SourceError('unreachable', `Could not list the serial ports: ${asError(error).message}. On Linux the list comes from udev: check that udevadm runs.`, { cause: error });
  }
}

function resolveOptions(format: SerialFormat, options: SerialOptions): ResolvedOptions {
  let stallTimeoutMs = options.stallTimeoutMs ?? (format === 'pulses' ? PULSES_STALL_MS : DEFAULT_STALL_MS);
  if (format === 'gmc' || format === 'mightyohm') stallTimeoutMs = Math.max(stallTimeoutMs, ONCE_A_SECOND_MIN_STALL_MS);
  return {
    stallTimeoutMs,
    openTimeoutMs: options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS,
    maxMalformedLines: options.maxMalformedLines ?? DEFAULT_MAX_MALFORMED_LINES,
    highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
  };
}

async function identify(settings: SerialSettings, lookupPort: (path: string) => Promise<SerialPortFacts | undefined>): Promise<SerialIdentity> {
  let facts: SerialPortFacts | undefined;
  let lookupError: string | undefined;
  try {
    facts = await lookupPort(settings.path);
  } catch (error) {
    // The USB IDs only name the device; the port is open and works without them.
    lookupError = asError(error).message;
  }
  const known = nameSerialDevice(facts?.vendorId, facts?.productId);
  const oneRng = settings.oneRngParam || known?.name === 'OneRNG';
  if (settings.mode !== undefined && !oneRng) {
    throw new SourceError('config', `mode=${settings.mode} is a OneRNG setting, and ${settings.path} is not known as a OneRNG: add device=onerng if it is one.`);
  }
  if (known?.role === 'trng' && settings.format !== 'raw') {
    throw new SourceError('config', `${known.name} at ${settings.path} sends raw bytes: use format=raw, not format=${settings.format}.`);
  }
  const name = oneRng ? 'OneRNG' : known?.role === 'trng' ? known.name : FORMAT_DEVICE_NAMES[settings.format];
  return { facts, known, oneRng, name, lookupError };
}

/** Finds the port at `path` in the OS's list, following symlinks such as /dev/serial/by-id/…. */
async function findPort(path: string): Promise<SerialPortFacts | undefined> {
  const ports = await SerialPort.list();
  const exact = ports.find((port) => port.path === path);
  if (exact) return exact;
  const target = await resolvedPath(path);
  for (const port of ports) {
    if ((await resolvedPath(port.path)) === target) return port;
  }
  return undefined;
}

async function resolvedPath(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // A listed port that vanished, or a path that is no link: compare it as written.
    return path;
  }
}

function openPort(path: string, baudRate: number, timeoutMs: number): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    let port: SerialPort;
    try {
      port = new SerialPort({ path, baudRate, autoOpen: false });
    } catch (error) {
      reject(describeOpenFailure(path, error));
      return;
    }
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new SourceError('unreachable', `${path} did not open within ${timeoutMs} ms: unplug the device, plug it back in and try again.`));
    }, timeoutMs);
    port.open((error) => {
      clearTimeout(timer);
      if (settled) {
        // Opened after we gave up on it: nobody will use it.
        if (!error) void closePort(port);
        return;
      }
      settled = true;
      if (error) reject(describeOpenFailure(path, error));
      else resolve(port);
    });
  });
}

/** Closes a port; resolves with the error, if any, so callers decide whether it matters. */
function closePort(port: SerialPort): Promise<Error | undefined> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve(undefined);
    port.close((error) => resolve(error ?? undefined));
  });
}

class SerialSource implements SerialSampleSource {
  readonly #port: SerialPort;
  readonly #settings: SerialSettings;
  readonly #options: ResolvedOptions;
  readonly #stream: LiveStream;
  readonly #parser: SerialFormatParser;
  /** "TrueRNG at /dev/ttyACM0": how messages name the device. */
  readonly #label: string;
  #info: SourceInfo | undefined;
  readonly #conversation: SerialConversation;
  /** gmc reads its <GETVER>> reply before the heartbeat's counts. */
  readonly #reply: ReplyBuffer;
  /** DTR asserted after open, or why it could not be. */
  #dtr: { set: true } | { set: false; reason: string } = { set: false, reason: 'not tried' };
  /** The device was told to start (cmdO, <HEARTBEAT1>>) and should be told to stop. */
  #started = false;
  #gmcVersion: string | undefined;
  #received = 0;
  #malformed = 0;
  #nodeWatch: NodeJS.Timeout | undefined;
  /** We are closing the port: its close and error events are ours, not the device's. */
  #closing = false;

  private constructor(port: SerialPort, settings: SerialSettings, identity: SerialIdentity, options: ResolvedOptions) {
    this.#port = port;
    this.#settings = settings;
    this.#options = options;
    this.#label = `${identity.name} at ${settings.path}`;
    this.#conversation = identity.oneRng ? { kind: 'onerng', mode: settings.mode } : settings.format === 'gmc' ? { kind: 'gmc' } : { kind: 'none' };
    this.#reply = new ReplyBuffer(this.#conversation.kind === 'gmc');
    this.#parser = createSerialParser(settings.format);
    this.#stream = new LiveStream(
      { name: `The serial source ${this.#label}`, highWaterMark: options.highWaterMark, stallTimeoutMs: options.stallTimeoutMs },
      {
        // The consumer is behind: stop reading and let the OS buffer, then the device's flow, hold the rest.
        pause: () => this.#port.pause(),
        resume: () => this.#port.resume(),
        onStall: () => this.#stream.fail(new SourceError('stalled', this.#stallMessage(options.stallTimeoutMs))),
        release: () => this.#stopAndClose(),
      },
    );
    // Handlers stay for the port's whole life, so nothing falls between handshake and stream.
    port.on('data', (chunk: Buffer) => this.#receive(chunk));
    port.on('close', (error: Error | null) => this.#closed(error ?? undefined));
    port.on('error', (error: Error) => this.#closed(error));
  }

  static async start(port: SerialPort, settings: SerialSettings, identity: SerialIdentity, options: ResolvedOptions, deadline: number): Promise<SerialSource> {
    const source = new SerialSource(port, settings, identity, options);
    try {
      await source.#startDevice(deadline);
    } catch (error) {
      // A failure the port reported (unplugged mid-handshake) says more than the write it broke.
      const failure = source.#stream.failure ?? error;
      await source.#stream.release();
      throw failure instanceof SourceError ? failure : new SourceError('unreachable', `${source.#label} did not start: ${asError(failure).message}.`, { cause: failure });
    }
    source.#info = describeSerial(settings, identity, { gmcVersion: source.#gmcVersion, dtrSet: source.#dtr.set, malformedLines: source.#malformed });
    source.#stream.watch();
    await source.#watchDeviceNode();
    return source;
  }

  get info(): SourceInfo {
    if (!this.#info) throw new Error('The serial source is still opening.');
    return this.#info;
  }

  get malformedLines(): number {
    return this.#malformed;
  }

  samples(): AsyncIterable<Uint8Array> {
    return this.#stream.samples();
  }

  async dispose(): Promise<void> {
    const error = await this.#stream.dispose();
    if (error) {
      throw new SourceError('unreachable', `Could not close ${this.#settings.path}: ${error.message}. Unplug the device to release it.`, { cause: error });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** What each device needs after open before it streams. */
  async #startDevice(deadline: number): Promise<void> {
    // TrueRNGs stream only while DTR is set (ubld.it TrueRNG manual); Linux raises it
    // on open, other systems and drivers may not. Others ignore it. A pseudo-terminal
    // has no modem lines (ENOTTY), so a failure is recorded rather than fatal.
    const dtrError = await new Promise<Error | null>((resolve) => this.#port.set({ dtr: true }, resolve));
    this.#dtr = dtrError ? { set: false, reason: dtrError.message.replace(/^Error:\s*/, '') } : { set: true };
    const link: SerialLink = { label: this.#label, baud: this.#settings.baud, write: (command) => this.#write(command), failure: () => this.#stream.failure };
    this.#gmcVersion = await startSerialDevice(this.#conversation, link, this.#reply, deadline, () => (this.#started = true));
  }

  #write(command: string, timeoutMs = this.#options.openTimeoutMs): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${JSON.stringify(command.trim())} was not sent within ${timeoutMs} ms`)), timeoutMs);
      this.#port.write(command, 'latin1');
      this.#port.drain((error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  #receive(chunk: Uint8Array): void {
    // A throw from a port callback goes nowhere: every failure is routed to the queue.
    try {
      if (this.#stream.finished || chunk.length === 0) return;
      this.#received += chunk.length;
      this.#stream.heard();
      if (this.#reply.open) return this.#reply.push(chunk);
      const parsed = this.#parser.push(chunk);
      if (parsed.malformed > 0) {
        this.#malformed += parsed.malformed;
        if (this.#info) this.#info.metadata.malformedLines = this.#malformed;
      }
      // Samples before a run of bad lines are good ones: deliver them, then fail.
      this.#stream.deliver(parsed.samples);
      if (parsed.longestMalformedRun >= this.#options.maxMalformedLines) {
        this.#fail(
          new SourceError(
            'protocol',
            `${this.#label} sends unreadable lines: check the baud rate (${this.#settings.baud}) and the format (${this.#settings.format}). ${parsed.longestMalformedRun} lines in a row did not parse.`,
          ),
        );
      }
    } catch (error) {
      this.#fail(new SourceError('protocol', `${this.#label} sent data that could not be read: ${asError(error).message}.`, { cause: error }));
    }
  }

  #closed(cause: Error | undefined): void {
    try {
      if (this.#closing || this.#stream.finished) return;
      this.#disconnected(`The port closed after ${this.#received} bytes${cause ? ` (${cause.message})` : ''}.`, cause);
    } catch (error) {
      this.#fail(asError(error));
    }
  }

  #disconnected(what: string, cause?: Error): void {
    this.#fail(new SourceError('disconnected', `${this.#label} stopped sending: check the cable${this.#startNote()}. ${what}`, { cause }));
  }

  /**
   * Unplugging a USB serial device removes its node (/dev/ttyACM0, and the
   * /dev/serial/by-id link). The port may never say so: on Linux a hung-up tty reads
   * 0 bytes, which @serialport/bindings-cpp retries forever without closing
   * (serialport/bindings-cpp#162). So the node is watched: gone or replaced by
   * another device means unplugged. Paths without a node (Windows COM3) rely on
   * the port's close event and the stall timeout.
   */
  async #watchDeviceNode(): Promise<void> {
    const path = this.#settings.path;
    let opened: { ino: number; rdev: number };
    try {
      opened = await stat(path);
    } catch {
      // No file behind the path: nothing to watch, and nothing wrong with that.
      return;
    }
    if (this.#stream.finished) return;
    const check = async () => {
      if (this.#stream.finished) return clearInterval(this.#nodeWatch);
      try {
        const now = await stat(path);
        if (now.ino !== opened.ino || now.rdev !== opened.rdev) this.#disconnected(`${path} now belongs to another device: it was unplugged or reset.`);
      } catch (error) {
        // Other errors (EACCES on a parent folder) say nothing about the device: look again next time.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.#disconnected(`${path} went away after ${this.#received} bytes: the device was unplugged.`, asError(error));
      }
    };
    this.#nodeWatch = setInterval(() => void check(), DEVICE_NODE_CHECK_MS);
    this.#nodeWatch.unref();
  }

  #fail(error: Error): void {
    this.#stream.fail(error);
    this.#reply.wake();
  }

  #stallMessage(stallMs: number): string {
    const { baud, format } = this.#settings;
    const silence = stallMs >= 1000 ? `${stallMs / 1000} s` : `${stallMs} ms`;
    switch (format) {
      case 'mightyohm':
        return `${this.#label} sent no report for ${silence}: it reports once a second, so check that it is switched on, the cable, and the baud rate (${baud}).`;
      case 'gmc':
        return `${this.#label} sent no count for ${silence} after ${GMC_COMMANDS.heartbeatOn}: check the cable, and that no other program (GQ's Data Viewer) turned the heartbeat off.`;
      case 'pulses':
        return `${this.#label} sent no pulse for ${silence}: check the tube's high voltage and the microcontroller's sketch, and the baud rate (${baud}).`;
      default:
        return `${this.#label} sent nothing for ${silence}: check that it is plugged in and streaming${this.#startNote()}.`;
    }
  }

  /** What we did to make the device stream, for messages about it not streaming. */
  #startNote(): string {
    const sent = startSent(this.#conversation);
    if (sent) return `; ${sent} was sent`;
    if (this.#settings.format !== 'raw') return '';
    return this.#dtr.set ? '; DTR was set' : `; DTR could not be set (${this.#dtr.reason})`;
  }

  /** Stops the device and closes the port (once: the live stream's release); resolves with the close error, if any. */
  async #stopAndClose(): Promise<Error | undefined> {
    clearInterval(this.#nodeWatch);
    this.#reply.wake();
    this.#closing = true;
    if (!this.#port.isOpen) return undefined;
    const stop = this.#started ? stopCommand(this.#conversation) : undefined;
    if (stop) {
      try {
        await this.#write(stop, STOP_COMMAND_TIMEOUT_MS);
      } catch (error) {
        // The device may be what failed; closing the port matters more than the stop.
        if (this.#info) this.#info.metadata.stopCommandError = asError(error).message;
      }
    }
    return closePort(this.#port);
  }
}
