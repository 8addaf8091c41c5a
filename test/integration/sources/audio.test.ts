// The audio source capturing for real through node-web-audio-api, fed by a line-in
// made of ALSA configuration: no sound card needed. A private alsa.conf (through
// ALSA_CONFIG_PATH, read by libasound on every open) defines capture PCMs of
// alsa-lib's `file` plugin over a `null` slave, each reading its samples from a FIFO
// (`infile`). A child process writes known samples into each FIFO at 48 kHz, one
// 1024-frame period per write, so the capture runs at the real rate and every frame
// it delivers can be checked against what was written.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DisposedError } from '../../../native-bridge/resource/disposed-error.std';
import { listAudioInputs, openAudioSource, type AudioInput, type AudioSampleSource, type AudioSourceOptions } from '../../../native-bridge/sources/audio.node';
import { parseSourceUri } from '../../../native-bridge/sources/source-uri.std';
import { SourceError } from '../../../native-bridge/sources/source.std';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * Writes 32-bit float frames into a FIFO at 48 kHz. cpal opens the `file` PCM as
 * FLOAT_LE (the null slave accepts any format, and cpal prefers f32), so the FIFO
 * carries what cpal would have made of 16-bit samples s: s / 32768. In `pattern`
 * mode s is chosen so that its low byte counts frames (s & 0xff = i mod 256) while
 * its high byte wanders over positive and negative values; `silence` writes zeros.
 * Each write is one 4096-byte period, no more than PIPE_BUF, so it lands whole and a
 * read of one period never gets half of one. O_RDWR keeps the FIFO from ever
 * reporting end-of-file to readers (a reader at EOF would spin on stale data), and
 * O_NONBLOCK drops periods while nobody reads instead of blocking.
 */
const WRITER = String.raw`
const fs = require('node:fs');
const [fifo, mode] = process.argv.slice(1);
const fd = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
const FRAMES = 1024, RATE = 48000, parent = process.ppid, started = performance.now();
const period = Buffer.alloc(FRAMES * 4);
const value = (i) => {
  const bits = ((((i >>> 8) * 37 + 11) & 0xff) << 8) | (i & 0xff);
  return bits >= 0x8000 ? bits - 0x10000 : bits;
};
let frame = 0, periods = 0;
setInterval(() => {
  if (process.ppid !== parent || performance.now() - started > 120000) process.exit(0);
  const due = Math.floor(((performance.now() - started) * RATE) / 1000 / FRAMES);
  while (periods < due) {
    for (let k = 0; k < FRAMES; k++) period.writeFloatLE(mode === 'pattern' ? value(frame + k) / 32768 : 0, k * 4);
    try { fs.writeSync(fd, period); } catch (error) { if (error.code !== 'EAGAIN') throw error; }
    frame += FRAMES;
    periods++;
  }
}, 4);
`;

interface Rig {
  ok: true;
  dir: string;
  config: string;
}

/** Device name → what its writer sends. `default` is the system default input of the private config. */
const DEVICES = { lightseed_rig_a: 'pattern', lightseed_rig_b: 'pattern', lightseed_default_in: 'pattern', lightseed_muted: 'silence', lightseed_flaky: 'silence' } as const;
type DeviceName = keyof typeof DEVICES;

function alsaConfig(dir: string, devices: readonly DeviceName[]): string {
  const pcm = (name: DeviceName, hinted: boolean) => `
pcm.${name} {
  type file
  slave.pcm { type null }
  file "/dev/null"
  infile "${join(dir, `${name}.fifo`)}"
  format "raw"
  ${hinted ? `hint { show on; description "${name}" }` : ''}
}`;
  return [
    // The default PCM captures from its own FIFO and plays into nothing.
    `pcm.!default { type asym; playback.pcm { type null }; capture.pcm "lightseed_default_in"; hint { show on; description "default" } }`,
    ...devices.map((name) => pcm(name, name !== 'lightseed_default_in')),
  ].join('\n');
}

/** What the rig started, removed after the tests whether or not capture works. */
const started = { writers: [] as ChildProcess[], removeDir: () => {} };

/** Builds the ALSA line-in; says why not when capture cannot work on this machine. */
async function startRig(): Promise<Rig | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: `the loopback line-in is made of ALSA configuration, and this is ${process.platform}` };
  const temp = makeTempDir('lightseed-alsa-');
  started.removeDir = temp.remove;
  const dir = temp.path;
  const config = join(dir, 'alsa.conf');
  writeFileSync(config, alsaConfig(dir, Object.keys(DEVICES) as DeviceName[]));
  // libasound reads ALSA_CONFIG_PATH when it (re)loads its configuration; this test
  // file runs in its own process, so the private configuration replaces the system's
  // for every audio call below and nothing else.
  process.env.ALSA_CONFIG_PATH = config;
  const writers = started.writers;
  for (const [name, mode] of Object.entries(DEVICES)) {
    const fifo = join(dir, `${name}.fifo`);
    try {
      execFileSync('mkfifo', [fifo]);
    } catch (error) {
      return { ok: false, reason: `mkfifo failed, so there is no FIFO to feed the capture: ${(error as Error).message}` };
    }
    writers.push(spawn(process.execPath, ['-e', WRITER, fifo, mode], { stdio: ['ignore', 'ignore', 'inherit'] }));
  }
  // The writers also exit by themselves when this process goes away.
  process.once('exit', () => writers.forEach((writer) => writer.kill()));
  let inputs: AudioInput[];
  try {
    inputs = await listAudioInputs();
  } catch (error) {
    return { ok: false, reason: `node-web-audio-api cannot list inputs here: ${(error as Error).message}` };
  }
  if (!inputs.some((input) => input.label === 'lightseed_rig_a')) {
    // node-web-audio-api prefers a running JACK server to ALSA; the FIFOs then feed nothing.
    return { ok: false, reason: `node-web-audio-api does not capture through ALSA here (it lists ${JSON.stringify(inputs.map((input) => input.label))}; a running JACK server takes precedence)` };
  }
  return { ok: true, dir, config };
}

const rig = await startRig();
const live = rig.ok;
const skipReason = rig.ok ? '' : ` [skipped: live capture is impossible here: ${rig.reason}]`;
if (!rig.ok) console.warn(`audio.test.ts: live capture tests skipped: ${rig.reason}`);

afterAll(() => {
  for (const writer of started.writers) writer.kill();
  started.removeDir();
});

function open(uri: string, options?: AudioSourceOptions): Promise<AudioSampleSource> {
  return openAudioSource(parseSourceUri(uri), options);
}

/** Reads until `count` samples arrived, then disposes the source mid-iteration. */
async function capture(source: AudioSampleSource, count: number): Promise<Uint8Array> {
  const samples = new Uint8Array(count);
  let have = 0;
  for await (const chunk of source.samples()) {
    samples.set(chunk.subarray(0, count - have), have);
    have = Math.min(count, have + chunk.length);
    if (have === count) await source.dispose();
  }
  expect(have).toBe(count);
  return samples;
}

/**
 * Places where a sample is not the one after its predecessor in the writer's frame
 * count, modulo 2^bits. A clean run has none; a period lost while the machine is
 * loaded makes one. A wrong float → int16 scale (× 32767 instead of × 32768) makes
 * about one every 600 samples, so one per 4096 tolerates load and still catches it.
 */
function tolerated(samples: Uint8Array): number {
  return Math.ceil(samples.length / 4096);
}

/** Places where a sample is not the one after its predecessor in the writer's frame count, modulo 2^bits. */
function breaks(samples: Uint8Array, bits: number): number {
  const mask = (1 << bits) - 1;
  let count = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i] !== ((samples[i - 1]! + 1) & mask)) count++;
  return count;
}

/** How many of this process's file descriptors point at `path` (Linux /proc). */
function openDescriptors(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false; // closed between listing and reading
    }
  }).length;
}

/** Workers and their ports still alive: each keeps the process from exiting. */
function openPorts(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'MessagePort').length;
}

async function failureOf(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe('audio source: parameters', () => {
  it('refuses bad parameters before opening anything', async () => {
    expect(await failureOf(open('audio:default?bits=0'))).toMatchObject({ failure: 'config', message: expect.stringMatching(/bits=0 must be a whole number from 1 to 8/) });
    expect(await failureOf(open('audio:default?bits=9'))).toMatchObject({ failure: 'config' });
    expect(await failureOf(open('audio:default?rate=44100'))).toMatchObject({ failure: 'config', message: expect.stringMatching(/no parameter "rate" \(it knows bits\)/) });
    expect(await failureOf(open('audio:'))).toMatchObject({ failure: 'config', message: expect.stringMatching(/needs a device: audio:default/) });
    expect(await failureOf(open('audio:default', { bufferFrames: 1000 }))).toMatchObject({ failure: 'config', message: expect.stringMatching(/power of two from 256 to 16384/) });
  });
});

describe('audio source: live capture through ALSA', () => {
  it.skipIf(!live)(`lists the audio inputs with ids and labels${skipReason}`, async () => {
    const inputs = await listAudioInputs();
    expect(Array.isArray(inputs)).toBe(true);
    expect(inputs.map((input) => input.label).sort()).toEqual(['default', 'lightseed_flaky', 'lightseed_muted', 'lightseed_rig_a', 'lightseed_rig_b']);
    for (const input of inputs) expect(input.id).toMatch(/^\S+$/);
    expect(new Set(inputs.map((input) => input.id)).size).toBe(inputs.length);
  });

  it.skipIf(!live)(`refuses an unknown device as unreachable, listing the inputs there are${skipReason}`, async () => {
    const error = await failureOf(open('audio:no-such-rig'));
    expect(error.failure).toBe('unreachable');
    expect(error.message).toMatch(/^No audio input matches "no-such-rig"\. Available inputs: .*"lightseed_rig_a" \(id \S+\)/);
    expect(error.message).toMatch(/"lightseed_muted"/);
    const ambiguous = await failureOf(open('audio:lightseed_rig'));
    expect(ambiguous).toMatchObject({ failure: 'config', message: expect.stringMatching(/matches 2 audio inputs \("lightseed_rig_a", "lightseed_rig_b"\)/) });
  });

  it.skipIf(!live)(`captures the low 8 bits of every 16-bit sample the line-in delivers, in order${skipReason}`, async () => {
    if (!rig.ok) return;
    const fifo = join(rig.dir, 'lightseed_rig_a.fifo');
    const portsBefore = openPorts();
    const source = await open('audio:lightseed_rig_a?bits=8');
    // The device is open: ALSA's file plugin holds its infile.
    expect(openDescriptors(fifo)).toBe(1);
    expect(source.info).toMatchObject({
      uri: 'audio:lightseed_rig_a?bits=8',
      kind: 'audio',
      bitsPerSample: 8,
      nominalRate: 48_000,
      deviceId: 'audio:lightseed_rig_a/48000Hz/mono/bits=8',
      description: 'Line-in "lightseed_rig_a" (48000 Hz mono, low 8 bits of 16-bit samples)',
      metadata: { label: 'lightseed_rig_a', sampleRate: 48_000, channels: 1, bits: 8 },
    });
    const samples = await capture(source, 24_000);
    // The writer's samples span both signs and the whole range; their low byte counts
    // frames, and the count runs on unbroken.
    expect(breaks(samples, 8)).toBeLessThanOrEqual(tolerated(samples));
    expect(new Set(samples).size).toBe(256);
    expect(source.stats.capturedFrames).toBeGreaterThanOrEqual(24_000);
    // Disposed inside the loop: the loop ended, a second dispose is harmless, reuse is refused.
    await source.dispose();
    expect(() => source.samples()).toThrow(DisposedError);
    // Dispose released the device and left nothing running that would keep the process
    // alive (node-web-audio-api frees the stream from its own threads, within moments).
    for (let waited = 0; openDescriptors(fifo) > 0 && waited < 2000; waited += 20) await sleep(20);
    expect(openDescriptors(fifo)).toBe(0);
    expect(openPorts()).toBe(portsBefore);
  });

  it.skipIf(!live)(`takes the low 4 bits by default and finds a device by part of its name${skipReason}`, async () => {
    const source = await open('audio:RIG_B');
    expect(source.info).toMatchObject({ bitsPerSample: 4, deviceId: 'audio:lightseed_rig_b/48000Hz/mono/bits=4' });
    const samples = await capture(source, 16_000);
    expect(Math.max(...samples)).toBe(15);
    expect(breaks(samples, 4)).toBeLessThanOrEqual(tolerated(samples));
  });

  it.skipIf(!live)(`captures from the default input${skipReason}`, async () => {
    const source = await open('audio:default?bits=6');
    expect(source.info.deviceId).toBe('audio:default/48000Hz/mono/bits=6');
    const samples = await capture(source, 16_000);
    expect(breaks(samples, 6)).toBeLessThanOrEqual(tolerated(samples));
  });

  it.skipIf(!live)(`reports an input that delivers only digital silence as stalled${skipReason}`, async () => {
    const source = await open('audio:lightseed_muted', { stallTimeoutMs: 600 });
    const error = await failureOf(capture(source, 1));
    expect(error.failure).toBe('stalled');
    expect(error.message).toMatch(/^The audio input "lightseed_muted" delivered no sound for \d+\.\d s \(\d+ frames of digital silence\): check that the rig is connected/);
    // None of the silence was passed on as samples.
    expect(source.stats.capturedFrames).toBe(0);
    await source.dispose();
    await source.dispose();
  });

  // Last: it rewrites the ALSA configuration the other tests use.
  it.skipIf(!live)(`reports an input that went away as disconnected${skipReason}`, async () => {
    if (!rig.ok) return;
    const source = await open('audio:lightseed_flaky', { stallTimeoutMs: 600 });
    // The device disappears from the system: a new configuration without it (a new
    // inode, so libasound sees the change and reloads).
    const next = `${rig.config}.next`;
    writeFileSync(next, alsaConfig(rig.dir, ['lightseed_rig_a', 'lightseed_rig_b', 'lightseed_default_in', 'lightseed_muted']));
    renameSync(next, rig.config);
    const error = await failureOf(capture(source, 1));
    expect(error).toMatchObject({ failure: 'disconnected', message: expect.stringMatching(/^The audio input "lightseed_flaky" went away after 0 frames: it was unplugged/) });
    await source.dispose();
  });
});
