// The packaged app, as electron-builder makes it from electron-builder.yml: packed for
// this platform into an unpacked directory by electron-builder itself. Only Electron's
// own binary is a stand-in (it cannot be downloaded here), and native modules keep
// Node's ABI (rebuilding them for Electron needs Electron's headers from the network).
// Then the packed file set runs on Node: the CLI loads SQLite, sqlite-vec, serialport
// and llama.cpp from it and answers with the embedded model.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import * as asar from '@electron/asar';
import { load } from 'js-yaml';
import { glob } from 'tinyglobby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRNG_USB_IDS } from '../../native-bridge/sources/serial-devices.std';
import { REPO_ROOT } from '../helpers/cli';
import { lightseedLlamaBuilt } from '../helpers/llama-build';
import { makeTempDir } from '../helpers/temp-dir';

const root = REPO_ROOT;
const run = promisify(execFile);

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  linux: { target: string[]; extraResources: { from: string; to: string }[] };
  deb: { fpm: string[] };
  mac: { target: string };
  win: { target: string };
}
const config = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** electron-builder's names for this platform and architecture (its ${os} and ${arch}). */
const os = ({ linux: 'linux', darwin: 'mac', win32: 'win' } as Record<string, string>)[process.platform];
const cannotPack = process.platform === 'linux' ? undefined : 'the stand-in Electron is a plain Linux executable; on this platform `npm run dist` is the check';

describe('the builder configuration', () => {
  it('names the app and every installer', () => {
    expect(config).toMatchObject({ appId: 'org.lightseed.app', productName: 'LightSeed', npmRebuild: true });
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.dist).toBe('node scripts/dist.js');
    const dist = readFileSync(join(root, 'scripts/dist.js'), 'utf8');
    expect(dist).toContain("'electron-builder/cli.js'");
    expect(dist).toContain("['rebuild', 'better-sqlite3']");
  });

  it('unpacks every native module and the model, each pattern matching files that exist', async () => {
    for (const name of ['better-sqlite3', '@serialport/bindings-cpp', 'sqlite-vec-*', '@node-llama-cpp', 'node-web-audio-api']) {
      expect(config.asarUnpack.some((pattern) => pattern.replace(/^\*\*\//, '').startsWith(`node_modules/${name}/`))).toBe(true);
    }
    expect(config.asarUnpack).toContain('node_modules/{sodium-native,udx-native,rocksdb-native,quickbit-native,simdle-native,fs-native-extensions}/prebuilds/**');
    expect(config.asarUnpack).toContain('models/*.gguf');
    for (const pattern of config.asarUnpack) {
      expect(await glob(pattern, { cwd: root, onlyFiles: true }), pattern).not.toHaveLength(0);
    }
  });

  it('ships the udev rule its deb installs, for exactly the hardware RNGs LightSeed knows', () => {
    const [mapping] = config.deb.fpm;
    const [from, to] = mapping!.split('=');
    expect(to).toBe('/usr/lib/udev/rules.d/60-lightseed-trng.rules');
    expect(config.linux.extraResources).toContainEqual({ from, to: 'udev/60-lightseed-trng.rules' });
    const rule = readFileSync(join(root, from!), 'utf8');
    const lines = rule.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
    // Every rule line is KEY[{attr}] OP "value" pairs, as udev reads them.
    for (const line of lines) {
      for (const pair of line.split(/,\s*/)) expect(pair, line).toMatch(/^[A-Z_]+(\{[A-Za-z_]+\})?(==|!=|\+=|:=|=)"[^"]*"$/);
    }
    const ids = [...rule.matchAll(/ATTRS\{idVendor\}=="([0-9a-f]{4})", ATTRS\{idProduct\}=="([0-9a-f]{4})"/g)].map((m) => `${m[1]}:${m[2]}`.toUpperCase());
    expect(ids.sort()).toEqual([...TRNG_USB_IDS].sort());
    expect(rule).toMatch(/TAG\+="uaccess"/);
    expect(rule).toMatch(/ENV\{ID_MM_DEVICE_IGNORE\}="1"/);
  });
});

describe.skipIf(cannotPack)('the packed app', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let resources: string;
  let entries: string[];
  const inAsar = (path: string) => entries.includes(path);

  beforeAll(async () => {
    dir = makeTempDir('lightseed-pack-');
    const electron = join(dir.path, 'electron-dist');
    mkdirSync(electron);
    writeFileSync(join(electron, 'electron'), '#!/bin/sh\necho "a stand-in for the Electron binary"\nexit 1\n');
    chmodSync(join(electron, 'electron'), 0o755);
    writeFileSync(join(electron, 'LICENSE'), '');
    writeFileSync(join(electron, 'version'), JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version);
    const out = join(dir.path, 'dist');
    await run(
      process.execPath,
      [join(root, 'node_modules/electron-builder/cli.js'), '--linux', 'dir', `--${process.arch}`, `-c.electronDist=${electron}`, '-c.npmRebuild=false', `-c.directories.output=${out}`],
      { cwd: root, env: { ...process.env, CI: 'true' }, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const [unpackedDir] = readdirSync(out).filter((name) => name.endsWith('-unpacked'));
    resources = join(out, unpackedDir!, 'resources');
    entries = asar.listPackage(join(resources, 'app.asar'), { isPack: false });
    const size = (path: string): number => (statSync(path).isDirectory() ? readdirSync(path).reduce((sum, name) => sum + size(join(path, name)), 0) : statSync(path).size);
    console.log(`packed app: app.asar ${(size(join(resources, 'app.asar')) / 2 ** 20).toFixed(1)} MiB, unpacked ${(size(join(resources, 'app.asar.unpacked')) / 2 ** 20).toFixed(1)} MiB`);
  }, 300_000);
  afterAll(() => dir?.remove());

  it('holds the built app and the model card, and none of the sources, tests or training recipe', () => {
    for (const path of ['/package.json', '/out/main/index.js', '/out/main/cli.js', '/out/main/engine-worker.js', '/out/main/assess-worker.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/models/MODEL_CARD.md']) {
      expect(inAsar(path), path).toBe(true);
    }
    // Electron itself (a devDependency: its binary is the app's runtime, not a module of it) stays out.
    expect(entries.filter((path) => /^\/node_modules\/(electron|@electron\/get)(\/|$)/.test(path))).toEqual([]);
    const own = entries.filter((path) => !path.startsWith('/node_modules/'));
    expect(own.filter((path) => /^\/(electron|native-bridge|renderer|test|bench|scripts|build|models\/recipe)(\/|$)/.test(path) || /\.(ts|map)$/.test(path))).toEqual([]);
    const pkg = JSON.parse(asar.extractFile(join(resources, 'app.asar'), 'package.json').toString()) as { main: string };
    expect(inAsar(`/${pkg.main}`)).toBe(true);
    // The preload in the package is the CommonJS one the build made (tested in build-output).
    expect(asar.extractFile(join(resources, 'app.asar'), 'out/preload/index.cjs').equals(readFileSync(join(root, 'out/preload/index.cjs')))).toBe(true);
  });

  it('keeps every native binary and the model outside the archive', () => {
    const native = entries.filter((path) => /\.(node|so(\.[\d.]+)?|dylib|dll)$/.test(path) || path.endsWith('.gguf'));
    expect(native.length).toBeGreaterThan(5);
    for (const path of native) {
      expect((asar.statFile(join(resources, 'app.asar'), path.slice(1)) as { unpacked?: boolean }).unpacked, path).toBe(true);
      expect(existsSync(join(resources, 'app.asar.unpacked', path)), path).toBe(true);
    }
    const unpacked = (path: string) => existsSync(join(resources, 'app.asar.unpacked', path));
    expect(unpacked('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(unpacked('models/lightseed-companion.gguf')).toBe(true);
    expect(native.some((path) => /^\/node_modules\/(sqlite-vec\/node_modules\/)?sqlite-vec-/.test(path))).toBe(true);
    expect(native.some((path) => path.startsWith('/node_modules/@serialport/bindings-cpp/prebuilds/'))).toBe(true);
    expect(native.some((path) => path.startsWith('/node_modules/node-web-audio-api/'))).toBe(true);
  });

  it("ships only this platform's CPU build of llama.cpp and of each prebuilt addon", () => {
    expect(readdirSync(join(resources, 'app.asar.unpacked/node_modules/@node-llama-cpp'))).toEqual([`${os}-${process.arch}`]);
    expect(entries.filter((path) => /gitRelease\.bundle|llama\/llama\.cpp\/|cuda|vulkan|CMakeFiles|\.ninja/.test(path))).toEqual([]);
    // LightSeed's own build, where npm install made it: only its Release folder, unpacked.
    const local = entries.filter((path) => path.includes('/localBuilds/'));
    if (lightseedLlamaBuilt().ok) expect(local.some((path) => path.endsWith('/Release/llama-addon.node'))).toBe(true);
    expect(local.filter((path) => !/\/localBuilds\/[^/]+(\/Release(\/[^/]+)?|\/buildDone\.status)?$/.test(path))).toEqual([]);
    const audio = entries.filter((path) => path.startsWith('/node_modules/node-web-audio-api/') && path.endsWith('.node'));
    expect(audio.length).toBe(1);
    expect(audio[0]).toContain(`${process.platform}-${process.arch}`);
    const serial = new Set(entries.filter((path) => path.includes('/bindings-cpp/prebuilds/')).map((path) => path.split('/')[5]));
    expect([...serial]).toEqual([`${process.platform}-${process.arch}`]);
    // The swarm's addons: Node's build for this platform only, unpacked.
    for (const name of ['sodium-native', 'udx-native', 'rocksdb-native', 'quickbit-native', 'simdle-native', 'fs-native-extensions']) {
      const prebuilt = entries.filter((path) => path.startsWith(`/node_modules/${name}/prebuilds/`) && /\.[a-z]+$/.test(path));
      expect(prebuilt, name).toEqual([`/node_modules/${name}/prebuilds/${process.platform}-${process.arch}/${name}.node`]);
    }
    expect(entries.some((path) => path.endsWith('test_extension.node'))).toBe(false);
  });

  it('puts the udev rule in resources/udev', () => {
    expect(readFileSync(join(resources, 'udev/60-lightseed-trng.rules'), 'utf8')).toBe(readFileSync(join(root, 'build/linux/60-lightseed-trng.rules'), 'utf8'));
  });

  it('runs from its own files: the CLI opens the database with sqlite-vec, lists serial ports and answers with the embedded model', async () => {
    const app = join(dir.path, 'app');
    asar.extractAll(join(resources, 'app.asar'), app);
    const data = join(dir.path, 'data');
    // What bin/lightseed.js does, pointed at the packed cli.js.
    const runner = join(dir.path, 'lightseed.mjs');
    writeFileSync(runner, 'const { run } = await import(process.argv[2]);\nprocess.exitCode = await run(process.argv.slice(3));\n');
    const cliUrl = new URL(`file://${join(app, 'out/main/cli.js')}`).href;
    const cli = (...args: string[]) => run(process.execPath, [runner, cliUrl, ...args, '--data-dir', data], { cwd: dir.path, timeout: 120_000 });
    const sources = await cli('sources', '--json');
    expect(JSON.parse(sources.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ uri: 'jitter:' })]));
    expect(sources.stderr).not.toMatch(/serial|bindings/i); // serialport's addon loaded: the list is the OS's, not an error
    const answer = await cli('generate', '--chat', '--prompt', 'Hello, who are you?', '--max-tokens', '12');
    expect(answer.stdout).toMatch(/\w+/);
    expect(answer.stderr).toMatch(/\d+ tokens, [\d.]+ tokens\/s/);
    const models = await cli('models', 'list', '--json');
    const listed = JSON.parse(models.stdout) as { path: string; isDefault: boolean }[];
    expect(listed).toEqual([expect.objectContaining({ isDefault: true })]);
    expect(relative(app, listed[0]!.path)).toBe('models/lightseed-companion.gguf');
  }, 180_000);
});
