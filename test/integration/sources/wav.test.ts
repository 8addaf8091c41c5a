// The wav source against real WAV files written to a temp dir: the samples it yields
// are the low bits of the recorded 16-bit samples, whatever chunks surround them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DisposedError } from '../../../native-bridge/resource/disposed-error.std';
import { parseSourceUri } from '../../../native-bridge/sources/source-uri.std';
import { SourceError, type SampleSource } from '../../../native-bridge/sources/source.std';
import { readWavLayout, WavFormatError } from '../../../native-bridge/sources/wav-format.std';
import { openWavSource, type WavSourceOptions } from '../../../native-bridge/sources/wav.node';
import { interleave, listInfoChunk, noiseSamples, oddChunk, sineSamples, wavBytes, writeWav, type WavSpec } from '../../fixtures/wav-writer';
import { makeTempDir } from '../../helpers/temp-dir';

const dir = makeTempDir('lightseed-wav-');
afterAll(() => dir.remove());

let fileCount = 0;
function recording(spec: WavSpec, name = `rec-${++fileCount}.wav`): string {
  const path = join(dir.path, name);
  writeWav(path, spec);
  return path;
}

function open(uri: string, options?: WavSourceOptions): Promise<SampleSource> {
  return openWavSource(parseSourceUri(uri), options);
}

async function readAll(source: SampleSource): Promise<{ samples: Uint8Array; chunks: number }> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source.samples()) chunks.push(chunk.slice());
  const samples = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    samples.set(chunk, offset);
    offset += chunk.length;
  }
  return { samples, chunks: chunks.length };
}

/** What the source must yield: the low bits of each recorded sample, in two's complement. */
function lowBits(samples: ArrayLike<number>, bits: number): Uint8Array {
  return Uint8Array.from(samples, (value) => value & ((1 << bits) - 1));
}

async function configError(uri: string): Promise<SourceError> {
  const error = await open(uri).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SourceError);
  expect((error as SourceError).failure).toBe('config');
  return error as SourceError;
}

describe('wav source', () => {
  it('replays the low 4 bits of a mono 16-bit recording by default, negative samples included', async () => {
    const noise = noiseSamples(30_000, 1);
    expect(noise.some((value) => value < 0)).toBe(true);
    const path = recording({ samples: noise, sampleRate: 44_100 });
    const source = await open(`wav:${path}`);
    const { samples } = await readAll(source);
    expect(samples).toEqual(lowBits(noise, 4));
    expect(Math.max(...samples)).toBe(15);
    expect(source.info).toMatchObject({
      uri: `wav:${path}?bits=4&channel=0`,
      kind: 'wav',
      bitsPerSample: 4,
      nominalRate: 44_100,
      description: `Recording ${path} (44100 Hz, 1 channel, channel 0, low 4 bits)`,
      metadata: { sampleRate: 44_100, channels: 1, channel: 0, bits: 4, truncated: false, frames: 30_000, durationSeconds: 30_000 / 44_100 },
    });
    expect(source.info.deviceId).toMatch(/^wav:[0-9a-f]{16}\/bits=4\/ch=0$/);
    expect(source.info.note).toBeUndefined();
    await source.dispose();
  });

  it('takes the requested channel of a stereo or multichannel recording', async () => {
    const left = noiseSamples(5000, 2);
    const right = noiseSamples(5000, 3);
    const third = noiseSamples(5000, 4);
    const stereo = recording({ samples: interleave(left, right), channels: 2 });

    const source = await open(`wav:${stereo}?bits=8&channel=1`);
    const { samples } = await readAll(source);
    expect(samples).toEqual(lowBits(right, 8));
    expect(samples).not.toEqual(lowBits(left, 8));
    expect(source.info.description).toBe(`Recording ${stereo} (48000 Hz, 2 channels, channel 1, low 8 bits)`);
    expect(source.info.metadata).toMatchObject({ channels: 2, channel: 1, bits: 8 });
    await source.dispose();

    const surround = recording({ samples: interleave(left, right, third), channels: 3 });
    const last = await open(`wav:${surround}?bits=1&channel=2`);
    expect((await readAll(last)).samples).toEqual(lowBits(third, 1));
    await last.dispose();
  });

  it('skips LIST and odd-sized chunks before and after the data, honouring the pad byte', async () => {
    const noise = noiseSamples(4001, 5);
    const path = recording({
      samples: noise,
      chunksBeforeData: [listInfoChunk(), oddChunk('junk', 3), oddChunk('bext', 1)],
      chunksAfterData: [oddChunk('id3 ', 5), listInfoChunk('trailer')],
    });
    const source = await open(`wav:${path}?bits=6`);
    const { samples } = await readAll(source);
    // Exactly the recorded samples: no chunk header or pad byte read as a sample.
    expect(samples).toEqual(lowBits(noise, 6));
    expect(source.info.metadata.frames).toBe(4001);
    await source.dispose();
  });

  it('replays the whole frames of a recording cut short and says it was truncated', async () => {
    const left = noiseSamples(10_000, 6);
    const right = noiseSamples(10_000, 7);
    // 1001 bytes short of the declared size: 250 whole frames and one byte of another are missing.
    const path = recording({ samples: interleave(left, right), channels: 2, truncateBytes: 1001 });
    const source = await open(`wav:${path}?channel=1`);
    const { samples } = await readAll(source);
    expect(samples).toEqual(lowBits(right.subarray(0, 10_000 - 251), 4));
    expect(source.info.metadata).toMatchObject({ truncated: true, frames: 9749, durationSeconds: 9749 / 48_000 });
    expect(source.info.note).toMatch(/cut short.*declares 40000 bytes but the file holds 38996/);
    await source.dispose();
  });

  it('streams a large recording in pieces of whole frames', async () => {
    const left = noiseSamples(300_000, 8);
    const right = noiseSamples(300_000, 9);
    const path = recording({ samples: interleave(left, right), channels: 2 });
    // 4099 is not a multiple of the 4-byte frame: reads round down to 1024 frames.
    const source = await open(`wav:${path}?bits=3&channel=1`, { readChunkBytes: 4099 });
    const { samples, chunks } = await readAll(source);
    expect(chunks).toBe(Math.ceil(300_000 / 1024));
    expect(samples).toEqual(lowBits(right, 3));
    await source.dispose();
  });

  it('accepts WAVE_FORMAT_EXTENSIBLE with the PCM subformat', async () => {
    const noise = noiseSamples(3000, 10);
    const path = recording({ samples: noise, formatTag: 0xfffe, subFormat: 1 });
    const source = await open(`wav:${path}?bits=5`);
    expect((await readAll(source)).samples).toEqual(lowBits(noise, 5));
    await source.dispose();
  });

  it('yields only zeros from digital silence and a short cycle from a pure sine', async () => {
    const silence = await open(`wav:${recording({ samples: new Int16Array(8000) })}?bits=8`);
    const quiet = (await readAll(silence)).samples;
    expect(quiet.length).toBe(8000);
    expect(quiet.every((value) => value === 0)).toBe(true);
    await silence.dispose();

    // A 1 kHz tone at 48 kHz repeats every 48 samples: its low bits do too, so an
    // assessment of them finds next to no entropy.
    const sine = await open(`wav:${recording({ samples: sineSamples(48_000, 48, 12_000) })}`);
    const tone = (await readAll(sine)).samples;
    for (let i = 0; i + 48 < tone.length; i++) expect(tone[i + 48]).toBe(tone[i]);
    expect(new Set(tone.subarray(0, 48)).size).toBeLessThanOrEqual(16);
    expect(new Set(tone).size).toBe(new Set(tone.subarray(0, 48)).size);
    await sine.dispose();
  });

  it('identifies a recording by its content and the bits and channel taken', async () => {
    const noise = noiseSamples(2000, 11);
    const first = recording({ samples: noise }, 'first.wav');
    const copy = recording({ samples: noise }, 'copy.wav');
    const other = recording({ samples: noiseSamples(2000, 12) }, 'other.wav');
    const ids: string[] = [];
    for (const uri of [`wav:${first}`, `wav:${copy}`, `wav:${first}?bits=5`, `wav:${other}`]) {
      const source = await open(uri);
      ids.push(source.info.deviceId);
      await source.dispose();
    }
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids[2]).toMatch(/\/bits=5\/ch=0$/);
    expect(ids[3]).not.toBe(ids[0]);
  });

  it('refuses a file that is not a WAV file, saying what it found', async () => {
    const text = join(dir.path, 'notes.wav');
    writeFileSync(text, 'these are my notes, not a recording\n');
    const error = await configError(`wav:${text}`);
    expect(error.message).toContain(`${text} is not a WAV file`);
    expect(error.message).toMatch(/starts with "these are my"/);
    expect(error.message).toMatch(/file:PATH\?bits=K/);
    expect(error.cause).toBeInstanceOf(WavFormatError);

    const empty = join(dir.path, 'empty.wav');
    writeFileSync(empty, new Uint8Array(0));
    expect((await configError(`wav:${empty}`)).message).toMatch(/is not a WAV file: it is empty/);

    const binary = join(dir.path, 'capture.bin');
    writeFileSync(binary, Uint8Array.from([0x00, 0xff, 0x10, 0x80, 1, 2, 3, 4, 5, 6, 7, 8]));
    expect((await configError(`wav:${binary}`)).message).toMatch(/starts with bytes 00 ff 10 80 01 02 03 04,/);

    const aiff = join(dir.path, 'take.aiff');
    writeFileSync(aiff, Uint8Array.from([0x46, 0x4f, 0x52, 0x4d, 0, 0, 0, 4, 0x41, 0x49, 0x46, 0x46]));
    expect((await configError(`wav:${aiff}`)).message).toMatch(/starts with "FORM" … "AIFF"/);
  });

  it('refuses samples that are not 16-bit PCM, naming the format found and the one supported', async () => {
    const noise = noiseSamples(100, 13);
    const cases: [WavSpec, RegExp][] = [
      [{ samples: noise, bitsPerSample: 24 }, /holds 24-bit PCM samples/],
      [{ samples: noise, bitsPerSample: 8 }, /holds 8-bit PCM samples/],
      [{ samples: noise, bitsPerSample: 32 }, /holds 32-bit PCM samples/],
      [{ samples: noise, bitsPerSample: 32, formatTag: 3 }, /holds 32-bit IEEE float samples/],
      [{ samples: noise, bitsPerSample: 32, formatTag: 0xfffe, subFormat: 3 }, /holds 32-bit IEEE float samples \(in WAVE_FORMAT_EXTENSIBLE\)/],
      [{ samples: noise, formatTag: 0xfffe, validBitsPerSample: 12 }, /12-bit samples in 16-bit containers, whose low 4 bits are padding/],
      [{ samples: noise, formatTag: 7, bitsPerSample: 8 }, /holds µ-law samples/],
    ];
    for (const [spec, found] of cases) {
      const path = recording(spec);
      const error = await configError(`wav:${path}`);
      expect(error.message).toContain(`${path} is a WAV file the wav source cannot read`);
      expect(error.message).toMatch(found);
      if (!/padding/.test(error.message)) expect(error.message).toContain('reads 16-bit PCM (format 1, or WAVE_FORMAT_EXTENSIBLE with the PCM subformat)');
    }
  });

  it('refuses damaged files with a message that says what is missing', async () => {
    const noHeader = wavBytes({ samples: noiseSamples(10, 14) });
    // A RIFF/WAVE header and nothing else.
    const path = join(dir.path, 'header-only.wav');
    writeFileSync(path, noHeader.subarray(0, 12));
    expect((await configError(`wav:${path}`)).message).toMatch(/is a damaged WAV file: it has no fmt chunk/);
    // fmt but no data: cut right after the 24-byte fmt chunk.
    const fmtOnly = join(dir.path, 'fmt-only.wav');
    writeFileSync(fmtOnly, noHeader.subarray(0, 36));
    expect((await configError(`wav:${fmtOnly}`)).message).toMatch(/has no data chunk/);
    const empty = recording({ samples: new Int16Array(0) });
    expect((await configError(`wav:${empty}`)).message).toMatch(/its data chunk is empty/);
  });

  it('refuses bad parameters before touching the file', async () => {
    const path = recording({ samples: interleave(noiseSamples(10, 15), noiseSamples(10, 16)), channels: 2 });
    expect((await configError(`wav:${path}?bits=0`)).message).toMatch(/bits=0 must be a whole number from 1 to 8/);
    expect((await configError(`wav:${path}?bits=9`)).message).toMatch(/bits=9/);
    expect((await configError(`wav:${path}?bits=four`)).message).toMatch(/bits=four/);
    expect((await configError(`wav:${path}?channel=-1`)).message).toMatch(/channel=-1/);
    expect((await configError(`wav:${path}?rate=48000`)).message).toMatch(/no parameter "rate" \(it knows bits, channel\)/);
    expect((await configError(`wav:${path}?channel=2`)).message).toBe(`${path} has 2 channels: use channel=0 to channel=1 (the URI asks for channel=2).`);
    expect((await configError('wav:')).message).toMatch(/needs a path/);
    expect((await configError(`wav:${dir.path}`)).message).toMatch(/is not a file/);
  });

  it('reports a missing recording as unreachable', async () => {
    const missing = join(dir.path, 'nowhere.wav');
    const error = await open(`wav:${missing}`).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ failure: 'unreachable', message: `There is no recording at ${missing}: check the path.` });
  });

  it('disposes twice, ends an iteration in progress and refuses use after dispose', async () => {
    const path = recording({ samples: noiseSamples(200_000, 17) });
    const source = await open(`wav:${path}`, { readChunkBytes: 1024 });
    let seen = 0;
    for await (const chunk of source.samples()) {
      seen += chunk.length;
      if (seen >= 2048) await source.dispose();
    }
    // The loop ended early: dispose stopped the replay after the chunk in hand.
    expect(seen).toBe(2048);
    await source.dispose();
    expect(() => source.samples()).toThrow(DisposedError);

    const once = await open(`wav:${path}`);
    once.samples();
    expect(() => once.samples()).toThrow(/read only once/);
    await once[Symbol.asyncDispose]();
    await once.dispose();
  });
});

describe('wav-format parser', () => {
  const readerOf = (bytes: Uint8Array) => async (offset: number, length: number) => bytes.subarray(offset, offset + length);

  it('finds the data after unknown chunks and reports a declared size past the end as truncated', async () => {
    const bytes = wavBytes({ samples: noiseSamples(100, 18), chunksBeforeData: [oddChunk('junk', 7)], truncateBytes: 3 });
    const layout = await readWavLayout(readerOf(bytes), bytes.length);
    // 12 RIFF + 24 fmt + (8 + 7 + 1 pad) junk + 8 data header.
    expect(layout).toMatchObject({ dataOffset: 60, declaredDataBytes: 200, dataBytes: 196, frames: 98, truncated: true });
    expect(layout.format).toMatchObject({ formatTag: 1, channels: 1, sampleRate: 48_000, blockAlign: 2, bitsPerSample: 16 });
  });

  it('says RF64 and RIFX are WAV variants it does not read', async () => {
    const bytes = wavBytes({ samples: noiseSamples(10, 19) });
    for (const [magic, message] of [
      ['RF64', /RF64 file \(WAV with 64-bit sizes/],
      ['RIFX', /big-endian RIFX/],
    ] as const) {
      const variant = bytes.slice();
      variant.set(Array.from(magic, (char) => char.charCodeAt(0)), 0);
      await expect(readWavLayout(readerOf(variant), variant.length)).rejects.toThrow(message);
    }
  });
});
