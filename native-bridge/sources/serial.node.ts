// `serial:PATH?baud=N&format=raw|hex|mightyohm|gmc|pulses`: USB serial noise devices
// (TrueRNG, OneRNG, Geiger counters, microcontrollers). The byte formats live in
// serial-formats/, the USB IDs in serial-devices.std.ts; this file is the shell: the
// port, each device's start and stop commands, timeouts, backpressure and failures.
import { realpath, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';
import { asError } from '../util/as-error.std';
import { LiveStream } from './live-stream.std';
import {
  describeSerialPort,
  nameSerialDevice,
  normalizeUsbId,
  ONERNG_COMMANDS,
  ONERNG_SILENT_MODES,
  ONERNG_WHITENED_MODES,
  type KnownSerialDevice,
  type SerialPortDescription,
  type SerialPortFacts,
} from './serial-devices.std';
import { GMC_COMMANDS, GMC_VERSION_LENGTH, readGmcVersion } from './serial-formats/gmc.std';
import { BITS_PER_SAMPLE, createSerialParser, DEFAULT_BAUD, isSerialFormat, SERIAL_FORMATS, type SerialFormat, type SerialFormatParser } from './serial-formats/serial-format.std';
import { checkParams, intParam, type ParsedSourceUri } from './source-uri.std';
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
/** After <HEARTBEAT0>>, time for counts already on their way to arrive (USB serial bridges buffer a few ms). */
const GMC_SETTLE_MS = 100;
/** A <GETVER>> reply arrives in one burst; this long a gap ends it. */
const GMC_REPLY_GAP_MS = 200;
/** Once the 14 bytes of GQ-RFC1201 are in, a shorter gap ends the reply of a model with a longer version. */
const GMC_REPLY_TAIL_MS = 20;
/** No version string is this long: a reply past it is noise at the wrong baud rate. */
const GMC_REPLY_MAX = 64;
/** How often the device node is checked for the unplug that the port itself may not report. */
const DEVICE_NODE_CHECK_MS = 250;

const GEIGER_COUNT_NOTE =
  'Per-second Geiger counts carry under 1 bit per second at background radiation (most seconds count 0, 1 or 2), so the 512 assessed bits of a Genesis seed take well over 10 minutes. ' +
  'For more entropy from the same tube, time each pulse with a microcontroller and use format=pulses.';

/** What a device is called in messages when its USB ID does not say. */
const FORMAT_DEVICE_NAMES: Readonly<Record<SerialFormat, string>> = {
  raw: 'Serial device',
  hex: 'Serial device',
  mightyohm: 'MightyOhm Geiger counter',
  gmc: 'GQ GMC Geiger counter',
  pulses: 'Geiger pulse timer',
};

interface SerialSettings {
  path: string;
  format: SerialFormat;
  baud: number;
  /** Set by device=onerng; a OneRNG is also recognised by its USB ID. */
  oneRngParam: boolean;
  /** OneRNG noise mode (cmd0–cmd7); undefined leaves the device's mode alone. */
  mode: number | undefined;
}

interface ResolvedOptions {
  stallTimeoutMs: number;
  openTimeoutMs: number;
  maxMalformedLines: number;
  highWaterMark: number;
}

/** Who is at the path: what the OS reports, and what we make of it. */
interface SerialIdentity {
  facts: SerialPortFacts | undefined;
  known: KnownSerialDevice | undefined;
  oneRng: boolean;
  /** "TrueRNG", "OneRNG", "MightyOhm Geiger counter", "Serial device". */
  name: string;
  /** Why the OS could not be asked, when it could not. */
  lookupError: string | undefined;
}

export async function openSerialSource(parsed: ParsedSourceUri, options: SerialOptions = {}): Promise<SerialSampleSource> {
  const settings = readSettings(parsed);
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

/**
 * The SourceError for a port that would not open: a missing device, a missing
 * permission, a port in use, or a path that is no serial port.
 */
export function describeOpenFailure(path: string, error: unknown): SourceError {
  const cause = asError(error);
  const text = `${(cause as NodeJS.ErrnoException).code ?? ''} ${cause.message}`;
  if (/ENOENT|No such file or directory/i.test(text)) {
    return new SourceError('unreachable', `There is no serial device at ${path}: check that it is plugged in and that the path is right (ls /dev/ttyACM* /dev/ttyUSB* shows the attached ones on Linux).`, { cause });
  }
  if (/EACCES|EPERM|Permission denied|Operation not permitted/i.test(text)) {
    return new SourceError('permission', `No permission to open ${path}: add yourself to the dialout group: sudo usermod -aG dialout $USER, then log in again.`, { cause });
  }
  if (/EBUSY|Cannot lock port|Resource temporarily unavailable|Device or resource busy/i.test(text)) {
    return new SourceError('unreachable', `${path} is in use by another program: close it (a serial monitor, another LightSeed, or ModemManager probing the port) and try again.`, { cause });
  }
  if (/ENOTTY|Inappropriate ioctl/i.test(text)) {
    return new SourceError('config', `${path} is not a serial port: pick a device such as /dev/ttyACM0 or /dev/ttyUSB0.`, { cause });
  }
  return new SourceError('unreachable', `Could not open ${path}: ${cause.message}.`, { cause });
}

function readSettings(parsed: ParsedSourceUri): SerialSettings {
  checkParams(parsed, ['baud', 'format', 'device', 'mode']);
  const path = parsed.target;
  if (!path) throw new SourceError('config', 'A serial source needs the device path: serial:/dev/ttyACM0?format=raw.');
  const format = parsed.params.get('format') ?? 'raw';
  if (!isSerialFormat(format)) {
    throw new SourceError('config', `The serial source has no format "${format}": use one of ${SERIAL_FORMATS.join(', ')}.`);
  }
  // 50 baud is the slowest rate termios names; 4 Mbaud the fastest common USB serial bridges take.
  const baud = intParam(parsed, 'baud', DEFAULT_BAUD[format], 50, 4_000_000);
  const device = parsed.params.get('device');
  if (device !== undefined && device !== 'onerng') {
    throw new SourceError('config', `The serial source parameter device=${device} is not known: device=onerng marks a OneRNG whose USB ID the OS does not report.`);
  }
  const oneRngParam = device === 'onerng';
  if (oneRngParam && format !== 'raw') {
    throw new SourceError('config', `A OneRNG sends raw bytes: use format=raw, not format=${format}.`);
  }
  const mode = parsed.params.has('mode') ? intParam(parsed, 'mode', 0, 0, 7) : undefined;
  if (mode !== undefined && ONERNG_SILENT_MODES.includes(mode)) {
    throw new SourceError('config', `OneRNG mode=${mode} turns both noise sources off (it exists to read the firmware): use 1 (avalanche), 3 (avalanche and RF) or 7 (RF), or 0, 2, 6 for whitened output.`);
  }
  return { path, format, baud, oneRngParam, mode };
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
  readonly #identity: SerialIdentity;
  readonly #options: ResolvedOptions;
  readonly #stream: LiveStream;
  readonly #parser: SerialFormatParser;
  /** "TrueRNG at /dev/ttyACM0": how messages name the device. */
  readonly #label: string;
  #info: SourceInfo | undefined;
  /** gmc reads its <GETVER>> reply before the heartbeat's counts. */
  #phase: 'handshake' | 'streaming';
  #handshakeBytes: number[] = [];
  #wakeHandshake: (() => void) | undefined;
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
    this.#identity = identity;
    this.#options = options;
    this.#label = `${identity.name} at ${settings.path}`;
    this.#phase = settings.format === 'gmc' ? 'handshake' : 'streaming';
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
    source.#info = source.#describe();
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
    if (this.#identity.oneRng) {
      if (this.#settings.mode !== undefined) await this.#write(ONERNG_COMMANDS.mode(this.#settings.mode));
      this.#started = true;
      await this.#write(ONERNG_COMMANDS.start);
    } else if (this.#settings.format === 'gmc') {
      this.#gmcVersion = await this.#handshakeGmc(deadline);
    }
  }

  /** GQ-RFC1201: <GETVER>> for the model, then <HEARTBEAT1>> for a count every second. */
  async #handshakeGmc(deadline: number): Promise<string> {
    // A heartbeat left on by an earlier session would mix its counts into the reply:
    // turn it off, let counts already on their way arrive, and drop them.
    this.#started = true;
    await this.#write(GMC_COMMANDS.heartbeatOff);
    await sleep(GMC_SETTLE_MS);
    this.#handshakeBytes = [];
    await this.#write(GMC_COMMANDS.getVersion);
    for (;;) {
      if (this.#stream.failure) throw this.#stream.failure;
      const got = this.#handshakeBytes.length;
      if (got > GMC_REPLY_MAX) break;
      const gap = got >= GMC_VERSION_LENGTH ? GMC_REPLY_TAIL_MS : got > 0 ? GMC_REPLY_GAP_MS : Infinity;
      const wait = Math.min(gap, deadline - Date.now());
      if (wait <= 0 || !(await this.#nextHandshakeData(wait))) break;
    }
    if (this.#stream.failure) throw this.#stream.failure;
    const reply = Uint8Array.from(this.#handshakeBytes);
    this.#handshakeBytes = [];
    if (reply.length === 0) {
      throw new SourceError(
        'protocol',
        `${this.#label} did not answer ${GMC_COMMANDS.getVersion}: check that it is a GQ GMC counter and switched on, and the baud rate (${this.#settings.baud}; the GMC-320+ V5 and GMC-500/600 need baud=115200).`,
      );
    }
    const version = reply.length > GMC_REPLY_MAX ? undefined : readGmcVersion(reply);
    if (!version) {
      throw new SourceError(
        'protocol',
        `${this.#label} sends unreadable replies: check the baud rate (${this.#settings.baud}) and the format (gmc). It answered ${GMC_COMMANDS.getVersion} with ${reply.length} bytes starting ${hexPreview(reply)}.`,
      );
    }
    this.#phase = 'streaming';
    await this.#write(GMC_COMMANDS.heartbeatOn);
    return version;
  }

  /** Resolves true when handshake bytes arrive (or the source fails), false after `ms` of quiet. */
  #nextHandshakeData(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeHandshake = undefined;
        resolve(false);
      }, ms);
      this.#wakeHandshake = () => {
        clearTimeout(timer);
        this.#wakeHandshake = undefined;
        resolve(true);
      };
    });
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
      if (this.#phase === 'handshake') {
        for (const byte of chunk) this.#handshakeBytes.push(byte);
        this.#wakeHandshake?.();
        return;
      }
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
    this.#wakeHandshake?.();
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
    if (this.#identity.oneRng) return `; ${ONERNG_COMMANDS.start.trim()} was sent`;
    if (this.#settings.format === 'gmc') return `; ${GMC_COMMANDS.heartbeatOn} was sent`;
    if (this.#settings.format !== 'raw') return '';
    return this.#dtr.set ? '; DTR was set' : `; DTR could not be set (${this.#dtr.reason})`;
  }

  /** Stops the device and closes the port (once: the live stream's release); resolves with the close error, if any. */
  async #stopAndClose(): Promise<Error | undefined> {
    clearInterval(this.#nodeWatch);
    this.#wakeHandshake?.();
    this.#closing = true;
    if (!this.#port.isOpen) return undefined;
    const stop = !this.#started ? undefined : this.#identity.oneRng ? ONERNG_COMMANDS.stop : this.#settings.format === 'gmc' ? GMC_COMMANDS.heartbeatOff : undefined;
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

  #describe(): SourceInfo {
    const { path, format, baud, mode } = this.#settings;
    const { facts, known, oneRng, name } = this.#identity;
    const vendorId = normalizeUsbId(facts?.vendorId);
    const productId = normalizeUsbId(facts?.productId);
    const serialNumber = facts?.serialNumber || undefined;
    const isTrng = oneRng || known?.role === 'trng';
    const query = [`baud=${baud}`, `format=${format}`, ...(this.#settings.oneRngParam ? ['device=onerng'] : []), ...(mode === undefined ? [] : [`mode=${mode}`])];
    // The assessment is stored per identity: the device itself when its serial number
    // says which one, else the port and the settings that shape what is read.
    const deviceName = known?.name ?? (vendorId ? `${vendorId}:${productId ?? '????'}` : undefined);
    const settingsSuffix = `${format === 'raw' ? '' : `/${format}`}${mode === undefined ? '' : `/mode=${mode}`}`;
    const deviceId =
      serialNumber && deviceName ? `serial:${oneRng ? 'OneRNG' : deviceName}:${serialNumber}${settingsSuffix}` : `serial:${path}/${format}/${baud}${mode === undefined ? '' : `/mode=${mode}`}`;
    const via = known && known.role !== 'trng' ? `, via ${known.name}` : '';
    const model = this.#gmcVersion ? ` (${this.#gmcVersion})` : '';
    const description = isTrng ? `${name} at ${path}` : `${name}${model} at ${path} (format ${format}, ${baud} baud${via})`;
    const metadata: SourceInfo['metadata'] = { path, format, baud, device: name, dtr: this.#dtr.set, malformedLines: this.#malformed };
    if (vendorId) metadata.vendorId = vendorId;
    if (productId) metadata.productId = productId;
    if (serialNumber) metadata.serialNumber = serialNumber;
    if (facts?.manufacturer) metadata.manufacturer = facts.manufacturer;
    if (known && known.role !== 'trng') metadata.usbSerial = known.name;
    if (this.#identity.lookupError) metadata.usbLookupError = this.#identity.lookupError;
    if (oneRng) metadata.oneRngMode = mode ?? 'device default';
    if (this.#gmcVersion) metadata.gmcVersion = this.#gmcVersion;
    const info: SourceInfo = { uri: `serial:${path}?${query.join('&')}`, kind: 'serial', bitsPerSample: BITS_PER_SAMPLE[format], deviceId, description, metadata };
    if (format === 'mightyohm' || format === 'gmc') {
      info.nominalRate = 1;
      info.note = GEIGER_COUNT_NOTE;
    }
    if (oneRng && (mode === undefined || ONERNG_WHITENED_MODES.includes(mode))) {
      info.note =
        `${mode === undefined ? 'Without mode=, the OneRNG keeps the mode it was last given (mode 0 from power-up), which passes' : `The OneRNG in mode ${mode} passes`} its noise through its whitener, which hides the noise's structure from the entropy assessment and makes it read too high: ` +
        'use mode=1 (avalanche), 3 (avalanche and RF) or 7 (RF) to assess the raw noise.';
    }
    return info;
  }
}

function hexPreview(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
