import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DisposedError } from '../../../native-bridge/resource/disposed-error.std';
import { describeSerialPort, nameSerialDevice } from '../../../native-bridge/sources/serial-devices.std';
import { createGmcParser, gmcHeartbeatCount, readGmcVersion } from '../../../native-bridge/sources/serial-formats/gmc.std';
import { createHexParser } from '../../../native-bridge/sources/serial-formats/hex.std';
import { createMightyOhmParser } from '../../../native-bridge/sources/serial-formats/mightyohm.std';
import { createPulsesParser } from '../../../native-bridge/sources/serial-formats/pulses.std';
import { createRawParser } from '../../../native-bridge/sources/serial-formats/raw.std';
import type { SerialFormatParser } from '../../../native-bridge/sources/serial-formats/serial-format.std';
import { listSerialPorts, openSerialSource, type SerialOptions } from '../../../native-bridge/sources/serial.node';
import { describeOpenFailure } from '../../../native-bridge/sources/serial-settings.std';
import { parseSourceUri } from '../../../native-bridge/sources/source-uri.std';
import { SourceError, type SampleSource } from '../../../native-bridge/sources/source.std';
import { concatBytes } from '../../../native-bridge/util/concat-bytes.std';
import {
  countingBytes,
  EmulatedSerialDevice,
  GMC_COMMAND,
  mangledLines,
  mightyOhmReport,
  playGmc,
  playOneRng,
  randomGarbage,
} from '../../fixtures/serial-device';

const text = (value: string) => new TextEncoder().encode(value);

/** Feeds `bytes` whole, then split in two at every offset, then a byte at a time: every way must agree. */
function expectSameAtEverySplit(createParser: () => SerialFormatParser, bytes: Uint8Array): { samples: number[]; malformed: number } {
  const run = (parts: Uint8Array[]) => {
    const parser = createParser();
    const results = parts.map((part) => parser.push(part));
    return { samples: results.flatMap((result) => [...result.samples]), malformed: results.reduce((sum, result) => sum + result.malformed, 0) };
  };
  const whole = run([bytes]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    expect(run([bytes.subarray(0, cut), bytes.subarray(cut)]), `split at byte ${cut}`).toEqual(whole);
  }
  expect(run(Array.from(bytes, (byte) => Uint8Array.of(byte)))).toEqual(whole);
  return whole;
}

describe('serial formats, fed chunks split anywhere', () => {
  it('raw: every byte is a sample, copied so a reused port buffer cannot change a queued chunk', () => {
    const chunk = Uint8Array.of(0, 7, 255);
    const { samples } = createRawParser().push(chunk);
    chunk[0] = 99;
    expect([...samples]).toEqual([0, 7, 255]);
  });

  it('hex: decodes each line into bytes and counts lines that are not whole bytes of hex', () => {
    const stream = text('00ff7A\r\n3c 4d\nzz\n123\r\n\n0102\n');
    const result = expectSameAtEverySplit(createHexParser, stream);
    expect(result).toEqual({ samples: [0x00, 0xff, 0x7a, 0x3c, 0x4d, 0x01, 0x02], malformed: 2 });
  });

  it('mightyohm: CPS becomes the sample, clamped to 255; the power-up banner is no error; cut lines are', () => {
    const stream = text(
      [
        'mightyohm.com Geiger Counter 1.00',
        'http://mightyohm.com/geiger',
        'CPS, 0, CPM, 18, uSv/hr, 0.10, SLOW',
        'CPS, 2, CPM, 21, uSv/hr, 0.11, SLOW',
        'CPS, 3, CPM, 2',
        'CPS, 300, CPM, 18000, uSv/hr, 102.60, INST',
        'CPS, 7, CPM, 420, uSv/hr, 2.39, FAST',
      ].join('\n') + '\n',
    );
    expect(expectSameAtEverySplit(createMightyOhmParser, stream)).toEqual({ samples: [0, 2, 255, 7], malformed: 1 });
  });

  it('a stream without line breaks counts as one malformed line per line length, so a wrong baud rate shows', () => {
    const parser = createMightyOhmParser();
    const first = parser.push(randomGarbage(1000, 1));
    const second = parser.push(randomGarbage(1000, 2));
    // 128 bytes is more than any MightyOhm report: 2000 bytes make 15 bad lines, and the run spans both chunks.
    expect(first.malformed + second.malformed).toBe(15);
    expect(second.longestMalformedRun).toBe(15);
    expect(first.samples.length + second.samples.length).toBe(0);
    // One good report ends the run.
    const good = parser.push(text(`\n${mightyOhmReport(4)}\n`));
    expect([...good.samples]).toEqual([4]);
    expect(parser.push(text('junk\n')).longestMalformedRun).toBe(1);
  });

  it('gmc: each heartbeat is 2 bytes MSB first, masked to 14 bits (GQ-RFC1201); the sample is its low byte', () => {
    expect(gmcHeartbeatCount(0x00, 0x1c)).toBe(28);
    expect(gmcHeartbeatCount(0xc1, 0x07)).toBe(0x0107); // reserved bits 15 and 14 dropped
    const stream = Uint8Array.of(0x00, 0x03, 0x40, 0x05, 0xc1, 0x07, 0x00, 0x00, 0x00, 0xff);
    expect(expectSameAtEverySplit(createGmcParser, stream)).toEqual({ samples: [3, 5, 7, 0, 255], malformed: 0 });
  });

  it('gmc: reads the <GETVER>> reply as printable ASCII, and refuses noise', () => {
    expect(readGmcVersion(text('GMC-320Re 4.09'))).toBe('GMC-320Re 4.09');
    expect(readGmcVersion(Uint8Array.of(...text('GMC-300Re 4.54'), 0, 0))).toBe('GMC-300Re 4.54');
    expect(readGmcVersion(Uint8Array.of(0x47, 0x8d, 0x00, 0xfe))).toBeUndefined();
    expect(readGmcVersion(new Uint8Array(0))).toBeUndefined();
  });

  it('pulses: HotBits compares successive intervals in non-overlapping pairs, and equal pairs give no bit', () => {
    // Timestamps (µs) → intervals → pairs → bits, by hand:
    //   1000 1500 2300  → 500, 800   → 500 < 800  → 0
    //   2400 2450       → 100, 50    → 100 > 50   → 1
    //   3450 4450       → 1000, 1000 → equal      → no bit
    //   4460 5460       → 10, 1000   → 10 < 1000  → 0
    //   9460 9461       → 4000, 1    → 4000 > 1   → 1
    const lines = ['1000', '1500', '2300', '2400', '2450', '3450', '4450', '4460', '5460', '9460', '9461'];
    const stream = text(lines.join('\r\n') + '\r\n');
    expect(expectSameAtEverySplit(createPulsesParser, stream)).toEqual({ samples: [0, 1, 0, 1], malformed: 0 });
  });

  it("pulses: bridges the wrap of Arduino's 32-bit micros(), restarts after a reset, and counts bad lines", () => {
    const wrap = 2 ** 32;
    // Intervals 100 (across the wrap) and 300 → 0; then a reset (time jumps back, not a wrap) starts over:
    // 50 → 150: interval 100, 150 → 160: interval 10 → 100 > 10 → 1.
    const lines = [`${wrap - 50}`, '50', '350', 'oops', '-5', '50', '150', '160'];
    expect(expectSameAtEverySplit(createPulsesParser, text(lines.join('\n') + '\n'))).toEqual({ samples: [0, 1], malformed: 2 });
  });
});

describe('naming serial devices by USB ID', () => {
  it('names the TRNGs, boards and bridge chips whatever the case or prefix of the IDs', () => {
    expect(nameSerialDevice('04d8', 'f5fe')?.name).toBe('TrueRNG');
    expect(nameSerialDevice('16D0', '0AA0')?.name).toBe('TrueRNG Pro');
    expect(nameSerialDevice('0x04d8', '0xebb5')?.name).toBe('TrueRNG ProV2');
    expect(nameSerialDevice('1d50', '6086')).toMatchObject({ name: 'OneRNG', role: 'trng' });
    expect(nameSerialDevice('2341', '0043')).toMatchObject({ name: 'Arduino', role: 'microcontroller' });
    expect(nameSerialDevice('2a03', '8036')?.name).toBe('Arduino');
    expect(nameSerialDevice('1a86', '7523')).toMatchObject({ name: 'CH340', role: 'usb-serial' });
    expect(nameSerialDevice('10c4', 'ea60')?.name).toBe('CP210x');
    expect(nameSerialDevice('403', '6001')?.name).toBe('FTDI');
    expect(nameSerialDevice('0403', '6015')?.name).toBe('FTDI');
    expect(nameSerialDevice('04d8', '000a')).toBeUndefined(); // another Microchip product
    expect(nameSerialDevice(undefined, undefined)).toBeUndefined();
  });

  it('describes listed ports for people, with a ready URI only where the format is certain', () => {
    const ports = [
      { path: '/dev/ttyACM0', vendorId: '04d8', productId: 'f5fe', serialNumber: 'TR100', manufacturer: 'ubld.it' },
      { path: '/dev/ttyUSB0', vendorId: '1a86', productId: '7523', manufacturer: '1a86' },
      { path: '/dev/ttyUSB1', vendorId: '1234', productId: '5678', manufacturer: 'Acme' },
      { path: '/dev/ttyS0', manufacturer: undefined, vendorId: undefined, productId: undefined },
    ].map(describeSerialPort);
    expect(ports[0]).toMatchObject({ name: 'TrueRNG', role: 'trng', vendorId: '04D8', productId: 'F5FE', serialNumber: 'TR100', label: 'TrueRNG at /dev/ttyACM0', uri: 'serial:/dev/ttyACM0?format=raw' });
    expect(ports[1]).toMatchObject({ name: 'CH340', label: 'CH340 USB serial at /dev/ttyUSB0' });
    expect(ports[1]!.hint).toMatch(/GMC.*format=gmc/);
    expect(ports[1]!.uri).toBeUndefined();
    expect(ports[2]).toMatchObject({ label: 'USB serial device 1234:5678 at /dev/ttyUSB1 (Acme)' });
    expect(ports[2]!.name).toBeUndefined();
    expect(ports[3]).toEqual({ path: '/dev/ttyS0', label: 'Serial port at /dev/ttyS0' });
  });

  it('lists the ports attached to this machine', async () => {
    const ports = await listSerialPorts();
    expect(Array.isArray(ports)).toBe(true);
    for (const port of ports) expect(port.label).toContain(port.path);
  });
});

describe('serial source over a pseudo-terminal', () => {
  let device: EmulatedSerialDevice;
  const sources: SampleSource[] = [];
  beforeEach(async () => {
    device = await EmulatedSerialDevice.start();
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.dispose()));
    await device.dispose();
  });

  /** Opens `serial:<the emulated port>?query`, disposed after the test. */
  async function open(query: string, options: SerialOptions = {}) {
    const source = await openSerialSource(parseSourceUri(`serial:${device.path}${query}`), { lookupPort: async () => undefined, ...options });
    sources.push(source);
    return source;
  }

  /** A lookup that says the port is a given USB device, as the OS would for the real one. */
  const usb = (vendorId: string, productId: string, serialNumber?: string): SerialOptions['lookupPort'] => async (path) => ({ path, vendorId, productId, serialNumber });

  /** Reads samples until `count` arrived; fails the test after `timeoutMs`. */
  async function take(source: SampleSource, count: number, timeoutMs = 5000): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const timeout = setTimeout(() => void source.dispose(), timeoutMs);
    try {
      for await (const chunk of source.samples()) {
        expect(Object.getPrototypeOf(chunk), 'a source yields plain Uint8Arrays').toBe(Uint8Array.prototype);
        chunks.push(chunk);
        total += chunk.length;
        if (total >= count) break;
      }
    } finally {
      clearTimeout(timeout);
    }
    return concatBytes(chunks).subarray(0, count);
  }

  /** Reads until the source throws; returns what arrived before and the error. */
  async function readUntilFailure(source: SampleSource): Promise<{ samples: Uint8Array; error: unknown }> {
    const chunks: Uint8Array[] = [];
    try {
      for await (const chunk of source.samples()) chunks.push(chunk);
    } catch (error) {
      return { samples: concatBytes(chunks), error };
    }
    throw new Error('The source ended without failing.');
  }

  it('streams a TrueRNG byte for byte, in order, and names it by USB ID and serial number', async () => {
    const source = await open('', { lookupPort: usb('04d8', 'f5fe', 'TR0042') });
    expect(source.info).toMatchObject({
      uri: `serial:${device.path}?baud=115200&format=raw`,
      kind: 'serial',
      bitsPerSample: 8,
      deviceId: 'serial:TrueRNG:TR0042',
      description: `TrueRNG at ${device.path}`,
      metadata: { path: device.path, baud: 115200, format: 'raw', vendorId: '04D8', productId: 'F5FE', serialNumber: 'TR0042', device: 'TrueRNG' },
    });
    // A PTY has no modem lines: the source says so instead of pretending DTR is up.
    expect(source.info.metadata.dtr).toBe(false);
    const sent = countingBytes(3000, 17);
    const [received] = await Promise.all([take(source, sent.length), device.send(sent)]);
    expect(received).toEqual(sent);
  });

  it('decodes hex lines into bytes and identifies an unknown device by path, format and baud', async () => {
    // The default lookup asks the OS, which does not list a PTY.
    const source = await openSerialSource(parseSourceUri(`serial:${device.path}?format=hex&baud=57600`));
    sources.push(source);
    expect(source.info).toMatchObject({
      deviceId: `serial:${device.path}/hex/57600`,
      description: `Serial device at ${device.path} (format hex, 57600 baud)`,
    });
    const [received] = await Promise.all([take(source, 6), device.sendLines(['deadbe', 'ef0001'], 10, '\r\n')]);
    expect([...received]).toEqual([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]);
  });

  it('turns MightyOhm reports into per-second counts and warns they carry under 1 bit a second', async () => {
    const source = await open('?format=mightyohm');
    expect(source.info).toMatchObject({ bitsPerSample: 8, nominalRate: 1, metadata: { baud: 9600, format: 'mightyohm' } });
    expect(source.info.description).toBe(`MightyOhm Geiger counter at ${device.path} (format mightyohm, 9600 baud)`);
    expect(source.info.note).toMatch(/under 1 bit per second/);
    expect(source.info.note).toMatch(/format=pulses/);
    const lines = [0, 1, 3, 300, 2].map((cps) => mightyOhmReport(cps));
    const [received] = await Promise.all([take(source, 5), device.sendLines(lines, 25)]);
    expect([...received]).toEqual([0, 1, 3, 255, 2]);
  });

  it('asks a GMC for its version, reads its heartbeat counts, and turns the heartbeat off on dispose', async () => {
    const player = playGmc(device, { version: 'GMC-320Re 4.09', counts: [0x0003, 0x4005, 0xc107, 0x0000, 0x00ff], intervalMs: 20 });
    const source = await open('?format=gmc');
    expect(source.info.metadata).toMatchObject({ gmcVersion: 'GMC-320Re 4.09', baud: 57600 });
    expect(source.info.description).toBe(`GQ GMC Geiger counter (GMC-320Re 4.09) at ${device.path} (format gmc, 57600 baud)`);
    expect(source.info.note).toMatch(/under 1 bit per second/);
    expect([...(await take(source, 5))]).toEqual([3, 5, 7, 0, 255]);
    await source.dispose();
    await device.waitFor('<HEARTBEAT1>><HEARTBEAT0>>');
    // Heartbeat off first (an earlier session may have left it on), then the version, the stream, and off again.
    expect(device.commands(GMC_COMMAND)).toEqual(['<HEARTBEAT0>>', '<GETVER>>', '<HEARTBEAT1>>', '<HEARTBEAT0>>']);
    await device.unplug();
    await player;
  });

  it('refuses a GMC whose version reply is noise, naming the baud rate, and stops its heartbeat', async () => {
    const player = playGmc(device, { version: Uint8Array.of(0x9f, 0x00, 0xe3, 0x81, 0xfe, 0x12, 0xc0), counts: [] });
    const error = await open('?format=gmc').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ failure: 'protocol' });
    expect((error as Error).message).toContain(`GQ GMC Geiger counter at ${device.path} sends unreadable replies: check the baud rate (57600) and the format (gmc)`);
    await device.waitFor('<GETVER>><HEARTBEAT0>>');
    await device.unplug();
    await player;
  });

  it('times pulses into HotBits bits, discarding equal intervals', async () => {
    const source = await open('?format=pulses');
    expect(source.info.bitsPerSample).toBe(1);
    // The same hand-computed sequence as the parser test: 0, 1, (equal: none), 0, 1.
    const lines = ['1000', '1500', '2300', '2400', '2450', '3450', '4450', '4460', '5460', '9460', '9461'];
    const [bits] = await Promise.all([take(source, 4), device.sendLines(lines, 5)]);
    expect([...bits]).toEqual([0, 1, 0, 1]);
  });

  it('starts a OneRNG with its mode and cmdO, and stops it with cmdo on dispose', async () => {
    const player = playOneRng(device, { bytes: 2000 });
    const source = await open('?mode=1', { lookupPort: usb('1d50', '6086', 'OR77') });
    expect(source.info).toMatchObject({ deviceId: 'serial:OneRNG:OR77/mode=1', description: `OneRNG at ${device.path}`, metadata: { oneRngMode: 1 } });
    expect(source.info.note).toBeUndefined(); // mode 1 is raw avalanche noise: nothing to warn about
    expect(await take(source, 2000)).toEqual(countingBytes(2000));
    await source.dispose();
    expect(await player).toEqual({ sent: 2000, stoppedByCommand: true });
    expect(device.received).toBe('cmd1\ncmdO\ncmdo\n');
  });

  it('treats device=onerng as a OneRNG the OS cannot name, and warns about its whitened default mode', async () => {
    const player = playOneRng(device, { bytes: 256 });
    const source = await open('?device=onerng');
    expect(source.info.note).toMatch(/whitener.*mode=1/);
    expect(await take(source, 256)).toEqual(countingBytes(256));
    await source.dispose();
    expect((await player).stoppedByCommand).toBe(true);
    expect(device.received).toBe('cmdO\ncmdo\n');
  });

  it('fails as protocol, naming the baud rate and format, when a line device sends noise without line breaks', async () => {
    const source = await open('?format=mightyohm');
    void device.send(randomGarbage(8000, 3), { chunkSize: 256, intervalMs: 1 });
    const { samples, error } = await readUntilFailure(source);
    expect(samples.length).toBe(0);
    expect(error).toMatchObject({ failure: 'protocol' });
    expect((error as Error).message).toContain(`MightyOhm Geiger counter at ${device.path} sends unreadable lines: check the baud rate (9600) and the format (mightyohm)`);
  });

  it('fails as protocol after 20 mangled lines in a row, and not before', async () => {
    const source = await open('?format=hex');
    void device.send(concatBytes([text('0a0b\n'), mangledLines(19, 4), text('0c\n'), mangledLines(40, 5)]), { chunkSize: 32, intervalMs: 1 });
    const { samples, error } = await readUntilFailure(source);
    // 19 bad lines are tolerated: the good line after them still arrives.
    expect([...samples]).toEqual([0x0a, 0x0b, 0x0c]);
    expect(error).toMatchObject({ failure: 'protocol' });
    expect((error as Error).message).toMatch(/baud rate \(115200\) and the format \(hex\)/);
  });

  it('skips and counts malformed lines among good ones', async () => {
    const source = await open('?format=mightyohm');
    const lines = [mightyOhmReport(1), 'CPS, 2, CPM, 1', mightyOhmReport(5), 'C\u00d0S, 3, CPM, 180, uSv/hr, 1.03, SLOW', 'garbage', mightyOhmReport(9)];
    const [received] = await Promise.all([take(source, 3), device.sendLines(lines, 5)]);
    expect([...received]).toEqual([1, 5, 9]);
    expect(source.malformedLines).toBe(3);
    expect(source.info.metadata.malformedLines).toBe(3);
  });

  it('fails as disconnected when unplugged mid-stream, after delivering what came before', async () => {
    const source = await open('', { lookupPort: usb('04d8', 'f5fe') });
    const streaming = device.send(countingBytes(40_000), { chunkSize: 64, intervalMs: 2 });
    const chunks: Uint8Array[] = [];
    let error: unknown;
    try {
      for await (const chunk of source.samples()) {
        chunks.push(chunk);
        if (chunks.reduce((sum, c) => sum + c.length, 0) >= 1000 && !device.unplugged) void device.unplug();
      }
    } catch (e) {
      error = e;
    }
    await streaming;
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ failure: 'disconnected' });
    expect((error as Error).message).toContain(`TrueRNG at ${device.path} stopped sending: check the cable; DTR could not be set`);
    const received = concatBytes(chunks);
    expect(received.length).toBeGreaterThanOrEqual(1000);
    expect(received).toEqual(countingBytes(received.length));
  });

  it('fails as stalled when the device goes quiet', async () => {
    const source = await open('', { stallTimeoutMs: 300 });
    // One write: a busy machine cannot spread the bytes out until they look like a stall.
    void device.send(countingBytes(100), { chunkSize: 100 });
    const { samples, error } = await readUntilFailure(source);
    expect(Buffer.from(samples)).toEqual(Buffer.from(countingBytes(100)));
    expect(error).toMatchObject({ failure: 'stalled' });
    expect((error as Error).message).toContain(`Serial device at ${device.path} sent nothing for 300 ms`);
  });

  it('pauses the port for a slow reader without losing a byte or calling it a stall', async () => {
    const source = await open('', { highWaterMark: 1024, stallTimeoutMs: 300 });
    const sent = countingBytes(16_384);
    const sending = device.send(sent, { chunkSize: 512, intervalMs: 1 });
    // The reader is away for longer than the stall timeout while the device keeps sending.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const received = await take(source, sent.length);
    await sending;
    expect(received).toEqual(sent);
  });

  it('is disposed once and for all: twice is fine, Symbol.asyncDispose works, samples() after throws DisposedError', async () => {
    const source = await open('');
    const reading = take(source, 1_000_000);
    await source[Symbol.asyncDispose]();
    // Disposing ends an iteration in progress; it does not fail it.
    expect((await reading).length).toBe(0);
    await source.dispose();
    expect(() => source.samples()).toThrow(DisposedError);
  });

  it('refuses a mode on a device not known as a OneRNG', async () => {
    await expect(open('?mode=1')).rejects.toMatchObject({ failure: 'config', message: expect.stringContaining('device=onerng') });
  });
});

describe('serial source failures before streaming', () => {
  const openUri = (uri: string) => openSerialSource(parseSourceUri(uri), { lookupPort: async () => undefined });

  it.each([
    ['serial:/dev/ttyACM0?speed=9600', /no parameter "speed"/],
    ['serial:/dev/ttyACM0?format=morse', /no format "morse"/],
    ['serial:/dev/ttyACM0?baud=fast', /baud=fast must be a whole number/],
    ['serial:/dev/ttyACM0?baud=10', /baud=10 must be a whole number from 50/],
    ['serial:/dev/ttyACM0?device=truerng', /device=truerng is not known/],
    ['serial:/dev/ttyACM0?device=onerng&format=hex', /OneRNG sends raw bytes/],
    ['serial:/dev/ttyACM0?device=onerng&mode=9', /mode=9 must be a whole number from 0 to 7/],
    ['serial:/dev/ttyACM0?device=onerng&mode=4', /mode=4 turns both noise sources off/],
    ['serial:?format=raw', /needs the device path/],
  ])('%s is a config error', async (uri, message) => {
    const error = await openUri(uri).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ failure: 'config', message: expect.stringMatching(message) });
  });

  it('names the path of a device that is not there', async () => {
    const error = await openUri('serial:/dev/ttyLIGHTSEED-none?format=raw').catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'unreachable', message: expect.stringContaining('no serial device at /dev/ttyLIGHTSEED-none') });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('says a file that is no serial port is the wrong path', async () => {
    await expect(openUri('serial:/etc/hostname')).rejects.toMatchObject({ failure: 'config', message: expect.stringContaining('/etc/hostname is not a serial port') });
  });

  it('tells the user how to get permission when the OS refuses the port', () => {
    // Tests run as root here, where no port refuses: check the mapping on the errors serialport gives.
    const denied = describeOpenFailure('/dev/ttyACM0', new Error('Error: Permission denied, cannot open /dev/ttyACM0'));
    expect(denied).toMatchObject({ failure: 'permission' });
    expect(denied.message).toContain('sudo usermod -aG dialout $USER, then log in again');
    expect(describeOpenFailure('/dev/ttyACM0', Object.assign(new Error('open failed'), { code: 'EACCES' })).failure).toBe('permission');
    expect(describeOpenFailure('/dev/ttyACM0', new Error('Error Resource temporarily unavailable Cannot lock port')).message).toMatch(/in use by another program/);
  });
});
