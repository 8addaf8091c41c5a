import { concatBytes } from '../../../native-bridge/util/concat-bytes.std';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { DisposedError } from '../../../native-bridge/resource/disposed-error.std';
import {
  encodeRtlTcpCommand,
  RtlTcpCommand,
  RtlTcpHeaderReader,
  RtlTcpMagicError,
  tunerName,
} from '../../../native-bridge/sources/rtltcp-protocol.std';
import { openRtlTcpSource, type RtlTcpOptions } from '../../../native-bridge/sources/rtltcp.node';
import { parseSourceUri } from '../../../native-bridge/sources/source-uri.std';
import { SourceError, type SampleSource } from '../../../native-bridge/sources/source.std';
import { RtlTcpEmulator } from '../../fixtures/rtltcp-emulator';

/** Short timeouts and backoff, so failure paths finish in well under a second. */
const FAST: RtlTcpOptions = { connectTimeoutMs: 1000, stallTimeoutMs: 1000, reconnectAttempts: 3, initialBackoffMs: 20, maxBackoffMs: 80 };

const open = (uri: string, options: RtlTcpOptions = FAST) => openRtlTcpSource(parseSourceUri(uri), options);

/** Reads until at least `count` bytes arrived (or the stream ended), keeping what came in `into`. */
async function collect(source: SampleSource, count: number, into: Uint8Array[] = []): Promise<Uint8Array> {
  let total = 0;
  for await (const chunk of source.samples()) {
    expect(Object.getPrototypeOf(chunk), 'a source yields plain Uint8Arrays').toBe(Uint8Array.prototype);
    into.push(chunk);
    total += chunk.length;
    if (total >= count) break;
  }
  return concatBytes(into);
}

/** Length and SHA-256: compares megabytes at once, where a deep equality walks them byte by byte. */
function fingerprint(bytes: Uint8Array | undefined): { length: number; sha256: string } {
  const data = bytes ?? new Uint8Array(0);
  return { length: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/** What a promise rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe('the rtl_tcp protocol', () => {
  it('encodes commands as u8 id + u32 big-endian, negatives as two’s complement', () => {
    expect([...encodeRtlTcpCommand(RtlTcpCommand.setSampleRate, 2_048_000)]).toEqual([0x02, 0x00, 0x1f, 0x40, 0x00]);
    expect([...encodeRtlTcpCommand(RtlTcpCommand.setFrequency, 0xffff_ffff)]).toEqual([0x01, 0xff, 0xff, 0xff, 0xff]);
    expect([...encodeRtlTcpCommand(RtlTcpCommand.setFrequencyCorrection, -3)]).toEqual([0x05, 0xff, 0xff, 0xff, 0xfd]);
    expect([...encodeRtlTcpCommand(RtlTcpCommand.setBiasTee, 1)]).toEqual([0x0e, 0, 0, 0, 1]);
    expect(() => encodeRtlTcpCommand(RtlTcpCommand.setFrequency, 2 ** 32)).toThrow(RangeError);
    expect(() => encodeRtlTcpCommand(RtlTcpCommand.setGain, 1.5)).toThrow(RangeError);
  });

  it('reads the header from a single chunk and hands back the samples that followed it', () => {
    const bytes = Uint8Array.of(0x52, 0x54, 0x4c, 0x30, 0, 0, 0, 5, 0, 0, 0, 29, 127, 128, 126);
    const done = new RtlTcpHeaderReader().push(bytes);
    expect(done?.header).toEqual({ tunerType: 5, tunerName: 'R820T', gainCount: 29 });
    expect([...(done?.rest ?? [])]).toEqual([127, 128, 126]);
  });

  it('reads the header a byte at a time', () => {
    const reader = new RtlTcpHeaderReader();
    const bytes = Uint8Array.of(0x52, 0x54, 0x4c, 0x30, 0, 0, 0, 1, 0, 0, 0, 14);
    for (let i = 0; i < 11; i++) expect(reader.push(bytes.subarray(i, i + 1))).toBeUndefined();
    const done = reader.push(bytes.subarray(11));
    expect(done?.header).toEqual({ tunerType: 1, tunerName: 'E4000', gainCount: 14 });
    expect(done?.rest.length).toBe(0);
  });

  it('refuses another protocol at its first wrong byte, showing what came', () => {
    const reader = new RtlTcpHeaderReader();
    expect(reader.push(Uint8Array.of(0x52))).toBeUndefined();
    expect(() => reader.push(new TextEncoder().encode('X'))).toThrow(RtlTcpMagicError);
    expect(() => new RtlTcpHeaderReader().push(new TextEncoder().encode('HTTP/1.1 400'))).toThrow('48 54 54 50 ("HTTP")');
  });

  it('names the tuners of librtlsdr’s enum', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(tunerName)).toEqual(['unknown', 'E4000', 'FC0012', 'FC0013', 'FC2580', 'R820T', 'R828D']);
    expect(tunerName(42)).toBe('tuner type 42');
  });
});

describe('the rtltcp source against an emulated rtl_tcp server', () => {
  it('reads the header, then tunes the dongle with every command the URI asks for, in order', async () => {
    await using emulator = await RtlTcpEmulator.start();
    await using source = await open(`${emulator.uri}?freq=433920000&rate=1024000&gain=496&ppm=-3&agc=1&bias=1`);
    await vi.waitFor(() => expect(emulator.connections[0]?.commands).toHaveLength(7), { timeout: 2000, interval: 10 });
    expect(emulator.connections[0]?.commands.map(({ name, value }) => [name, value])).toEqual([
      ['set sample rate', 1_024_000],
      ['set frequency', 433_920_000],
      ['set gain mode', 1],
      ['set gain', 496],
      ['set frequency correction', -3],
      ['set AGC mode', 1],
      ['set bias-T', 1],
    ]);
    const port = emulator.port;
    expect(source.info).toMatchObject({
      kind: 'rtltcp',
      bitsPerSample: 8,
      nominalRate: 2_048_000,
      deviceId: `rtltcp:R820T@127.0.0.1:${port}/f=433920000/r=1024000/g=496/ppm=-3/agc=1/bias=1`,
      description: `RTL-SDR (R820T) via rtl_tcp at 127.0.0.1:${port}`,
      metadata: { tuner: 'R820T', gainCount: 29, host: '127.0.0.1', port, freq: 433_920_000, rate: 1_024_000, gain: 496 },
    });
  });

  it('defaults to 100 MHz at 2.048 MS/s with the tuner’s automatic gain', async () => {
    await using emulator = await RtlTcpEmulator.start();
    await using source = await open(emulator.uri);
    await vi.waitFor(() => expect(emulator.connections[0]?.commands).toHaveLength(3), { timeout: 2000, interval: 10 });
    expect(emulator.connections[0]?.commands.map(({ id, param }) => [id, param])).toEqual([
      [0x02, 2_048_000],
      [0x01, 100_000_000],
      [0x03, 0],
    ]);
    expect(source.info.deviceId).toBe(`rtltcp:R820T@127.0.0.1:${emulator.port}/f=100000000/r=2048000/g=auto`);
    expect(source.info.nominalRate).toBe(4_096_000);
  });

  it('reads a header that arrives one byte per TCP segment', async () => {
    await using emulator = await RtlTcpEmulator.start({ plans: [{ splitHeader: true, tunerType: 1, gainCount: 14, bytes: 10_000 }] });
    await using source = await open(emulator.uri);
    expect(source.info.metadata).toMatchObject({ tuner: 'E4000', gainCount: 14 });
    expect(source.info.description).toContain('RTL-SDR (E4000)');
    expect(fingerprint(await collect(source, 10_000))).toEqual(fingerprint(emulator.connections[0]?.sentBytes()));
  });

  it('delivers every I/Q byte the server sent, in order, whatever the chunk sizes', async () => {
    await using emulator = await RtlTcpEmulator.start({ plans: [{ bytes: 300_000, then: 'stall' }], seed: 7 });
    await using source = await open(emulator.uri);
    const received = await collect(source, 300_000);
    expect(received.length).toBe(300_000);
    expect(fingerprint(received)).toEqual(fingerprint(emulator.connections[0]?.sentBytes()));
    const mean = received.reduce((sum, value) => sum + value, 0) / received.length;
    expect(mean).toBeCloseTo(127.5, 0);
  });

  it('refuses a server that does not start with "RTL0", naming the address', async () => {
    await using emulator = await RtlTcpEmulator.start({ plans: [{ magic: 'HTTP' }] });
    const error = await rejection(open(emulator.uri));
    expect(error.failure).toBe('protocol');
    expect(error.message).toContain(`The server at 127.0.0.1:${emulator.port} is not rtl_tcp`);
    expect(error.message).toContain('"HTTP"');
    expect(error.cause).toBeInstanceOf(RtlTcpMagicError);
  });

  it('says how to start rtl_tcp when nothing listens at the address', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const error = await rejection(open(`rtltcp://127.0.0.1:${port}`));
    expect(error.failure).toBe('unreachable');
    expect(error.message).toBe(
      `No rtl_tcp server answers at 127.0.0.1:${port} (ECONNREFUSED): start \`rtl_tcp -a 127.0.0.1 -p ${port}\` next to the dongle, or check the address.`,
    );
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('times out on a server that accepts but never sends the header (busy with another client)', async () => {
    await using emulator = await RtlTcpEmulator.start({ plans: [{ silent: true }] });
    const error = await rejection(open(emulator.uri, { ...FAST, connectTimeoutMs: 200 }));
    expect(error.failure).toBe('stalled');
    expect(error.message).toContain('sent no rtl_tcp header within 200 ms');
    await vi.waitFor(() => expect(emulator.connections[0]?.closed).toBe(true), { timeout: 1000, interval: 10 });
  });

  it('reconnects transparently when the connection drops mid-stream, re-sending the tuning', async () => {
    await using emulator = await RtlTcpEmulator.start({
      plans: [
        { bytes: 100_000, then: 'drop' },
        { bytes: 200_000, then: 'stall' },
      ],
    });
    await using source = await open(`${emulator.uri}?gain=200`);
    const received = await collect(source, 250_000);
    expect(emulator.connections).toHaveLength(2);
    const [first, second] = emulator.connections;
    expect(fingerprint(received)).toEqual(fingerprint(concatBytes([first!.sentBytes(), second!.sentBytes()]).subarray(0, received.length)));
    expect(received.length).toBeGreaterThanOrEqual(250_000);
    expect(second!.commands.map(({ name, value }) => [name, value])).toEqual([
      ['set sample rate', 2_048_000],
      ['set frequency', 100_000_000],
      ['set gain mode', 1],
      ['set gain', 200],
    ]);
  });

  it('fails as disconnected, after the samples that came, when the server is gone for good', async () => {
    await using emulator = await RtlTcpEmulator.start({ plans: [{ bytes: 50_000, then: 'drop' }], maxConnections: 1 });
    await using source = await open(emulator.uri);
    const chunks: Uint8Array[] = [];
    const started = Date.now();
    const error = await rejection(collect(source, Infinity, chunks));
    expect(error.failure).toBe('disconnected');
    // Backoff 20 + 40 + 80 ms (the maximum) between the attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(130);
    expect(error.message).toMatch(
      new RegExp(`^rtl_tcp at 127\\.0\\.0\\.1:${emulator.port} dropped the connection after 50000 bytes, and 3 reconnection attempts over [\\d.]+ s failed \\(the last with ECONNREFUSED\\)\\. `),
    );
    expect(error.message).toContain('Check that rtl_tcp is still running');
    expect(fingerprint(concatBytes(chunks))).toEqual(fingerprint(emulator.connections[0]?.sentBytes()));
    expect(emulator.connections).toHaveLength(1);
  });

  it('refuses to carry on with a different dongle after reconnecting', async () => {
    await using emulator = await RtlTcpEmulator.start({ plans: [{ bytes: 20_000, then: 'drop' }, { tunerType: 1 }] });
    await using source = await open(emulator.uri);
    const error = await rejection(collect(source, Infinity));
    expect(error.failure).toBe('protocol');
    expect(error.message).toContain('came back with a different dongle (E4000 with 29 gains, was R820T with 29)');
    expect(emulator.connections).toHaveLength(2);
  });

  it('fails as stalled when the server stops sending', async () => {
    await using emulator = await RtlTcpEmulator.start({ plans: [{ bytes: 20_000, then: 'stall' }] });
    await using source = await open(emulator.uri, { ...FAST, stallTimeoutMs: 300 });
    const chunks: Uint8Array[] = [];
    const started = Date.now();
    const error = await rejection(collect(source, Infinity, chunks));
    expect(error.failure).toBe('stalled');
    expect(error.message).toContain(`rtl_tcp at 127.0.0.1:${emulator.port} sent no samples for 300 ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(concatBytes(chunks).length).toBe(20_000);
    // The stalled connection is closed, not left hanging.
    await vi.waitFor(() => expect(emulator.connections[0]?.closed).toBe(true), { timeout: 1000, interval: 10 });
  });

  it('pauses the socket while the consumer is behind, without counting it as a stall', async () => {
    await using emulator = await RtlTcpEmulator.start({ plans: [{ bytes: 64 << 20 }], bytesPerSecond: 40_000_000, maxChunk: 65536 });
    await using source = await open(emulator.uri, { ...FAST, stallTimeoutMs: 200, highWaterMark: 64 * 1024 });
    // Nobody reads, for longer than the stall timeout: the socket must pause, so TCP flow
    // control stops the server once the kernel buffers are full, and the source must not
    // mistake the silence for a stall.
    const connection = () => emulator.connections[0]!;
    await vi.waitFor(() => expect(connection().blockedOnBackpressure).toBe(true), { timeout: 3000, interval: 10 });
    const sentWhenBlocked = connection().sent;
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Unpaused, the client would have drained ~16 MB at this rate in the meantime.
    expect(connection().sent - sentWhenBlocked).toBeLessThan(1 << 20);
    const received = await collect(source, 2 << 20);
    expect(fingerprint(received)).toEqual(fingerprint(connection().sentBytes().subarray(0, received.length)));
  });

  it('refuses unknown or malformed URI parameters before connecting', async () => {
    for (const [query, expected] of [
      ['freqq=100000000', 'The rtltcp source has no parameter "freqq" (it knows freq, rate, gain, ppm, agc, bias).'],
      ['rate=500000', "rate=500000 falls in the RTL2832U's gap"],
      ['gain=49.6', 'gain=49.6 must be a whole number from -100 to 600'],
      ['bias=2', 'bias=2 must be a whole number from 0 to 1'],
    ] as const) {
      const error = await rejection(open(`rtltcp://127.0.0.1:1?${query}`));
      expect(error.failure).toBe('config');
      expect(error.message).toContain(expected);
    }
    expect((await rejection(open('rtltcp://127.0.0.1:70000'))).failure).toBe('config');
  });

  it('disposes twice without complaint, ends samples() and closes the connection', async () => {
    await using emulator = await RtlTcpEmulator.start();
    const source = await open(emulator.uri);
    let chunks = 0;
    for await (const _chunk of source.samples()) {
      chunks++;
      if (chunks === 1) await source.dispose();
    }
    expect(chunks).toBeGreaterThanOrEqual(1);
    await source.dispose();
    await source[Symbol.asyncDispose]();
    expect(() => source.samples()).toThrow(DisposedError);
    await vi.waitFor(() => expect(emulator.connections[0]?.closed).toBe(true), { timeout: 1000, interval: 10 });
    expect(emulator.connections).toHaveLength(1);
  });
});
