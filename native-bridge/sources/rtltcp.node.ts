// `rtltcp://HOST:PORT?freq=HZ&rate=SPS&gain=TENTHS_DB`: an RTL-SDR dongle served by
// osmocom's rtl_tcp. Each I or Q byte of the stream is one 8-bit sample of tuner and
// ADC noise. The wire format lives in rtltcp-protocol.std.ts; this file is the shell:
// the socket, timeouts, backpressure and transparent reconnection.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { asError } from '../util/as-error.std';
import { definedOnly } from '../util/defined-only.std';
import { LiveStream } from './live-stream.std';
import { encodeRtlTcpCommand, RtlTcpCommand, RtlTcpHeaderReader, RtlTcpMagicError, type RtlTcpHeader } from './rtltcp-protocol.std';
import { checkParams, intParam, type ParsedSourceUri } from './source-uri.std';
import { SourceError, type SampleSource, type SourceInfo } from './source.std';

export interface RtlTcpOptions {
  /** Milliseconds to wait for the TCP connection and then for rtl_tcp's 12-byte header. Default 5000. */
  connectTimeoutMs?: number;
  /** Milliseconds without a byte, while the consumer keeps up, after which the stream counts as stalled. Default 3000. */
  stallTimeoutMs?: number;
  /** Reconnection attempts after the connection drops mid-stream, before giving up. Default 5. */
  reconnectAttempts?: number;
  /** Delay before the first reconnection attempt, doubled for each next one. Default 250. */
  initialBackoffMs?: number;
  /** Longest delay between reconnection attempts. Default 4000. */
  maxBackoffMs?: number;
  /** Bytes buffered ahead of the consumer before the socket is paused. Default 4 MiB. */
  highWaterMark?: number;
}

/** rtl_tcp's own default port (`-p`), used when the URI gives none. */
const RTL_TCP_DEFAULT_PORT = 1234;

const DEFAULTS = {
  connectTimeoutMs: 5000,
  stallTimeoutMs: 3000,
  reconnectAttempts: 5,
  initialBackoffMs: 250,
  maxBackoffMs: 4000,
  highWaterMark: 4 << 20,
} satisfies Required<RtlTcpOptions>;

interface Endpoint {
  host: string;
  port: number;
  /** `127.0.0.1:1234`, `[::1]:1234`: how the user wrote it, for messages and identity. */
  label: string;
}

/** What the URI asks the dongle to do; `undefined` leaves rtl_tcp's own setting alone. */
interface Tuning {
  freq: number;
  rate: number;
  /** Tenths of a dB; undefined = the tuner's automatic gain. */
  gain: number | undefined;
  ppm: number | undefined;
  agc: number | undefined;
  bias: number | undefined;
}

export async function openRtlTcpSource(parsed: ParsedSourceUri, options: RtlTcpOptions = {}): Promise<SampleSource> {
  checkParams(parsed, ['freq', 'rate', 'gain', 'ppm', 'agc', 'bias']);
  const endpoint = parseEndpoint(parsed.target);
  const tuning = parseTuning(parsed);
  return RtlTcpSource.open(endpoint, tuning, { ...DEFAULTS, ...definedOnly(options) });
}

function parseEndpoint(target: string): Endpoint {
  // HOST:PORT, [IPv6]:PORT, or HOST alone (rtl_tcp's default port).
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:/[\]]+))(?::(\d+))?\/?$/.exec(target);
  const host = match?.[1] ?? match?.[2];
  if (!match || !host) {
    throw new SourceError('config', `"${target}" is not an rtl_tcp address: write rtltcp://HOST:PORT, e.g. rtltcp://127.0.0.1:1234.`);
  }
  const port = match[3] === undefined ? RTL_TCP_DEFAULT_PORT : Number(match[3]);
  if (port < 1 || port > 65535) throw new SourceError('config', `The rtl_tcp port ${match[3]} must be from 1 to 65535.`);
  return { host, port, label: `${match[1] ? `[${host}]` : host}:${port}` };
}

function parseTuning(parsed: ParsedSourceUri): Tuning {
  // The command parameter is a u32 (rtl_tcp command 0x01), so any 32-bit frequency goes
  // on the wire; the tuner clamps to what it can reach.
  const freq = intParam(parsed, 'freq', 100_000_000, 1, 0xffff_ffff);
  // librtlsdr's rtlsdr_set_sample_rate accepts 225001–300000 and 900001–3200000 and
  // ignores anything else, while rtl_tcp (command 0x02) does not report the failure:
  // refuse here rather than harvest at a rate other than the one recorded.
  const rate = intParam(parsed, 'rate', 2_048_000, 225_001, 3_200_000);
  if (rate > 300_000 && rate <= 900_000) {
    throw new SourceError('config', `The rtltcp source parameter rate=${rate} falls in the RTL2832U's gap: use 225001–300000 or 900001–3200000 samples per second.`);
  }
  // Tuner gains span −9.9 dB (FC0012/FC0013) to 49.6 dB (R820T), in tenths (command 0x04).
  const gain = parsed.params.get('gain') === 'auto' ? undefined : optionalInt(parsed, 'gain', -100, 600);
  return {
    freq,
    rate,
    gain,
    ppm: optionalInt(parsed, 'ppm', -1000, 1000),
    agc: optionalInt(parsed, 'agc', 0, 1),
    bias: optionalInt(parsed, 'bias', 0, 1),
  };
}

function optionalInt(parsed: ParsedSourceUri, name: string, min: number, max: number): number | undefined {
  return parsed.params.has(name) ? intParam(parsed, name, 0, min, max) : undefined;
}

/**
 * The commands that put the dongle in the URI's state, sent after every header (a
 * reconnected rtl_tcp may have been restarted with other settings): sample rate, then
 * frequency, then gain, the order rtl_sdr and rtl_tcp apply their own options in.
 */
function tuningCommands(tuning: Tuning): Uint8Array {
  const commands = [
    encodeRtlTcpCommand(RtlTcpCommand.setSampleRate, tuning.rate),
    encodeRtlTcpCommand(RtlTcpCommand.setFrequency, tuning.freq),
    // Command 0x03: 0 = automatic gain, 1 = manual; command 0x04 only counts in manual mode.
    encodeRtlTcpCommand(RtlTcpCommand.setGainMode, tuning.gain === undefined ? 0 : 1),
  ];
  if (tuning.gain !== undefined) commands.push(encodeRtlTcpCommand(RtlTcpCommand.setGain, tuning.gain));
  if (tuning.ppm !== undefined) commands.push(encodeRtlTcpCommand(RtlTcpCommand.setFrequencyCorrection, tuning.ppm));
  if (tuning.agc !== undefined) commands.push(encodeRtlTcpCommand(RtlTcpCommand.setAgcMode, tuning.agc));
  if (tuning.bias !== undefined) commands.push(encodeRtlTcpCommand(RtlTcpCommand.setBiasTee, tuning.bias));
  const bytes = new Uint8Array(commands.reduce((sum, command) => sum + command.length, 0));
  let offset = 0;
  for (const command of commands) {
    bytes.set(command, offset);
    offset += command.length;
  }
  return bytes;
}

function describeSource(endpoint: Endpoint, tuning: Tuning, header: RtlTcpHeader): SourceInfo {
  const gain = tuning.gain === undefined ? 'auto' : tuning.gain;
  const extras: [string, number | undefined][] = [
    ['ppm', tuning.ppm],
    ['agc', tuning.agc],
    ['bias', tuning.bias],
  ];
  const given = extras.filter((entry): entry is [string, number] => entry[1] !== undefined);
  const query = [`freq=${tuning.freq}`, `rate=${tuning.rate}`, ...(tuning.gain === undefined ? [] : [`gain=${tuning.gain}`]), ...given.map(([k, v]) => `${k}=${v}`)];
  return {
    uri: `rtltcp://${endpoint.label}?${query.join('&')}`,
    kind: 'rtltcp',
    // Each I or Q byte is one sample: the RTL2832U's ADC is 8 bits wide.
    bitsPerSample: 8,
    // Every setting that shapes the noise is part of the identity the assessment is stored under.
    deviceId: [`rtltcp:${header.tunerName}@${endpoint.label}`, `f=${tuning.freq}`, `r=${tuning.rate}`, `g=${gain}`, ...given.map(([k, v]) => `${k}=${v}`)].join('/'),
    description: `RTL-SDR (${header.tunerName}) via rtl_tcp at ${endpoint.label}`,
    metadata: {
      tuner: header.tunerName,
      tunerType: header.tunerType,
      gainCount: header.gainCount,
      host: endpoint.host,
      port: endpoint.port,
      freq: tuning.freq,
      rate: tuning.rate,
      gain,
      ...Object.fromEntries(given),
    },
    // I and Q each deliver `rate` bytes per second.
    nominalRate: 2 * tuning.rate,
  };
}

class RtlTcpSource implements SampleSource {
  readonly #endpoint: Endpoint;
  readonly #options: Required<RtlTcpOptions>;
  readonly #commands: Uint8Array;
  readonly #stream: LiveStream;
  /** Aborts a reconnection's backoff wait on dispose. */
  readonly #abort = new AbortController();
  #info: SourceInfo | undefined;
  /** The header of the first connection; every reconnection must show the same dongle. */
  #header: RtlTcpHeader | undefined;
  /** The connection being opened or streaming; undefined between attempts. */
  #socket: Socket | undefined;
  /** `#socket` has passed its header and carries samples. */
  #streaming = false;
  #reconnecting: Promise<void> | undefined;
  #received = 0;

  private constructor(endpoint: Endpoint, tuning: Tuning, options: Required<RtlTcpOptions>) {
    this.#endpoint = endpoint;
    this.#options = options;
    this.#commands = tuningCommands(tuning);
    this.#stream = new LiveStream(
      { name: `The rtl_tcp source at ${endpoint.label}`, highWaterMark: options.highWaterMark, stallTimeoutMs: options.stallTimeoutMs },
      {
        // The consumer is behind: stop reading and let TCP flow control slow rtl_tcp down.
        pause: () => this.#socket?.pause(),
        // A connection still reading its header flows anyway and checks the pressure once streaming.
        resume: () => {
          if (this.#socket && this.#streaming) this.#socket.resume();
        },
        onStall: () =>
          this.#stream.fail(
            new SourceError(
              'stalled',
              `rtl_tcp at ${endpoint.label} sent no samples for ${options.stallTimeoutMs} ms: the dongle may have been unplugged or rtl_tcp hung (its log says which). Restart rtl_tcp next to the dongle and harvest again.`,
            ),
          ),
        release: async () => {
          const socket = this.#teardown();
          await Promise.all([socket && !socket.closed ? new Promise((resolve) => socket.once('close', resolve)) : undefined, this.#reconnecting]);
          return undefined;
        },
      },
    );
  }

  static async open(endpoint: Endpoint, tuning: Tuning, options: Required<RtlTcpOptions>): Promise<RtlTcpSource> {
    const source = new RtlTcpSource(endpoint, tuning, options);
    const header = await source.#connect();
    source.#info = describeSource(endpoint, tuning, header);
    return source;
  }

  get info(): SourceInfo {
    if (!this.#info) throw new Error('The rtl_tcp source is still opening.');
    return this.#info;
  }

  samples(): AsyncIterable<Uint8Array> {
    return this.#stream.samples();
  }

  async dispose(): Promise<void> {
    await this.#stream.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /**
   * Opens one connection: TCP connect, the 12-byte header (checked against the first
   * connection's), then the tuning commands. Resolves with the header once samples
   * flow; rejects with a SourceError naming the address. The socket's handlers stay
   * for its whole life, so no byte or error falls between connecting and streaming.
   */
  #connect(): Promise<RtlTcpHeader> {
    const { host, port, label } = this.#endpoint;
    const timeoutMs = this.#options.connectTimeoutMs;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      this.#socket = socket;
      const reader = new RtlTcpHeaderReader();
      let phase: 'connecting' | 'header' | 'streaming' | 'failed' = 'connecting';
      let lastError: Error | undefined;
      const giveUp = (error: Error) => {
        phase = 'failed';
        clearTimeout(timer);
        socket.destroy();
        if (this.#socket === socket) this.#socket = undefined;
        reject(error);
      };
      const timer = setTimeout(() => {
        giveUp(
          phase === 'connecting'
            ? unreachable(this.#endpoint, new Error(`no answer within ${timeoutMs} ms`))
            : new SourceError(
                'stalled',
                `The server at ${label} accepted the connection but sent no rtl_tcp header within ${timeoutMs} ms: rtl_tcp serves one client at a time, so close the other client (SDR#, GQRX, another LightSeed), or check that it is rtl_tcp listening there.`,
              ),
        );
      }, timeoutMs);

      socket.setNoDelay(true);
      socket.on('connect', () => {
        if (phase === 'connecting') phase = 'header';
      });
      socket.on('data', (chunk: Buffer) => {
        // A throw from a socket callback goes nowhere: route every failure.
        try {
          if (phase === 'streaming') return this.#receive(socket, chunk);
          if (phase !== 'header') return;
          const done = reader.push(chunk);
          if (!done) return;
          const expected = this.#header;
          if (expected && (expected.tunerType !== done.header.tunerType || expected.gainCount !== done.header.gainCount)) {
            return giveUp(
              new SourceError(
                'protocol',
                `rtl_tcp at ${label} came back with a different dongle (${done.header.tunerName} with ${done.header.gainCount} gains, was ${expected.tunerName} with ${expected.gainCount}): its noise needs its own assessment, so start a new harvest.`,
              ),
            );
          }
          this.#header ??= done.header;
          clearTimeout(timer);
          phase = 'streaming';
          this.#streaming = true;
          socket.write(this.#commands);
          if (this.#stream.pressured) socket.pause();
          this.#stream.watch();
          resolve(done.header);
          this.#receive(socket, done.rest);
        } catch (error) {
          if (phase !== 'streaming') {
            giveUp(
              error instanceof RtlTcpMagicError
                ? new SourceError('protocol', `The server at ${label} is not rtl_tcp: ${error.message}. Check the port (rtl_tcp listens on ${RTL_TCP_DEFAULT_PORT} unless started with -p).`, { cause: error })
                : asError(error),
            );
          } else {
            this.#stream.fail(asError(error));
          }
        }
      });
      socket.on('error', (error) => {
        lastError = error;
      });
      socket.on('close', () => {
        try {
          if (phase === 'streaming') this.#lost(socket, lastError);
          else if (phase === 'connecting') giveUp(unreachable(this.#endpoint, lastError));
          else if (phase === 'header') {
            giveUp(
              new SourceError(
                'unreachable',
                `The server at ${label} closed the connection before sending the rtl_tcp header: check that it is rtl_tcp and that its log shows the dongle was found.`,
                { cause: lastError },
              ),
            );
          }
        } catch (error) {
          this.#stream.fail(asError(error));
        }
      });
    });
  }

  #receive(socket: Socket, chunk: Uint8Array): void {
    if (socket !== this.#socket || this.#stream.finished || chunk.length === 0) return;
    this.#received += chunk.length;
    this.#stream.deliver(chunk);
  }

  /** The streaming connection dropped: reconnect in the background; the consumer only sees a pause. */
  #lost(socket: Socket, cause: Error | undefined): void {
    if (socket !== this.#socket || this.#stream.finished) return;
    this.#socket = undefined;
    this.#streaming = false;
    this.#stream.unwatch();
    this.#reconnecting = this.#reconnect(cause).catch((error: unknown) => this.#stream.fail(asError(error)));
  }

  async #reconnect(dropCause: Error | undefined): Promise<void> {
    const { reconnectAttempts, initialBackoffMs, maxBackoffMs } = this.#options;
    const startedAt = Date.now();
    let lastError: Error | undefined = dropCause;
    for (let attempt = 1; attempt <= reconnectAttempts; attempt++) {
      const delay = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (attempt - 1));
      try {
        await sleep(delay, undefined, { signal: this.#abort.signal });
      } catch (error) {
        if (this.#stream.finished) return;
        throw error;
      }
      if (this.#stream.finished) return;
      try {
        await this.#connect();
        return;
      } catch (error) {
        if (this.#stream.finished) return;
        // Another dongle or another protocol at the address will not fix itself.
        if (error instanceof SourceError && error.failure === 'protocol') return this.#stream.fail(error);
        lastError = asError(error);
      }
    }
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    const dropped = dropCause ? ` (${reasonOf(dropCause)})` : '';
    this.#stream.fail(
      new SourceError(
        'disconnected',
        `rtl_tcp at ${this.#endpoint.label} dropped the connection${dropped} after ${this.#received} bytes, and ${reconnectAttempts} reconnection attempts over ${seconds} s failed${lastError && lastError !== dropCause ? ` (the last with ${reasonOf(lastError)})` : ''}. Check that rtl_tcp is still running next to the dongle and the network between, then harvest again.`,
        { cause: lastError },
      ),
    );
  }

  /** Stops reconnecting and drops the socket (the live stream's release); returns it so dispose can wait for its close. */
  #teardown(): Socket | undefined {
    this.#abort.abort();
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
    return socket;
  }
}

function unreachable(endpoint: Endpoint, cause: Error | undefined): SourceError {
  const { host, port, label } = endpoint;
  const why = cause ? ` (${reasonOf(cause)})` : '';
  return new SourceError('unreachable', `No rtl_tcp server answers at ${label}${why}: start \`rtl_tcp -a ${host} -p ${port}\` next to the dongle, or check the address.`, {
    cause,
  });
}

/** A few words for a failure inside a longer message: the OS code (ECONNREFUSED) when there is one. */
function reasonOf(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code) return code;
  return error instanceof SourceError ? `${error.failure}` : error.message;
}
