import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll } from 'vitest';
import { AppServices, type AppServicesOptions } from '../../electron/services/app-services.node';
import { openCircleChannel } from '../../electron/swarm/circle.node';
import { encodeFrame, FrameReader, type PeerMessage } from '../../electron/swarm/frames.std';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { addModel } from '../../electron/services/model-registry.node';
import { makeTempDir } from './temp-dir';
import { tinyModel } from './tiny-model';
import { until } from './wait-for';

/**
 * A LightSeed installation for swarm tests: its own data folder, database and identity, its circle
 * on `testnet`. Its teardown goes on `cleanups`; `log` collects what the services log.
 */
export async function swarmInstallation(testnet: Testnet, name: string, cleanups: (() => Promise<void> | void)[], options: Partial<AppServicesOptions> = {}) {
  const dir = makeTempDir();
  const log: string[] = [];
  const services = await AppServices.create({
    dataDir: dir.path,
    mode: 'cli',
    heartbeatMs: 0,
    log: (line) => log.push(line),
    swarmBootstrap: testnet.bootstrap.map((b) => `${b.host}:${b.port}`),
    swarmName: name,
    ...options,
  });
  cleanups.push(async () => {
    await services.shutdown();
    dir.remove();
  });
  return { services, dir, log, db: services.database.connection };
}

/**
 * A HyperDHT testnet on 127.0.0.1 for the suite (registers its beforeAll and afterAll): what goes
 * on `cleanups` is torn down, last first, before the testnet.
 */
export function swarmTestnet(): { readonly testnet: Testnet; readonly bootstrap: string[]; cleanups: (() => Promise<void> | void)[] } {
  let testnet: Testnet | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    testnet = await createTestnet(3);
  }, 30_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await testnet?.destroy();
  }, 60_000);
  return {
    get testnet() {
      if (!testnet) throw new Error('The testnet is used before its beforeAll ran.');
      return testnet;
    },
    get bootstrap() {
      return this.testnet.bootstrap.map((b) => `${b.host}:${b.port}`);
    },
    cleanups,
  };
}

/**
 * A hand-made peer's end of the circle's channel on a raw Hyperswarm connection: what it
 * receives, checked frame by frame, and raw bytes or messages to send (a rogue's or a protocol
 * step the test plays by hand).
 */
export function circleWire(socket: Duplex, onMessage: (message: PeerMessage) => void = () => {}) {
  const reader = new FrameReader();
  const channel = openCircleChannel(socket, (bytes) => {
    for (const message of reader.push(bytes)) onMessage(message);
  })!;
  return { write: (bytes: Uint8Array) => channel.send(bytes), send: (message: PeerMessage) => channel.send(encodeFrame(message)) };
}

/**
 * A testnet whose installations answer with the tiny test model (the built engine), and a
 * circle of two of them (Ana made it, Ben joined) once both have met.
 */
export function swarmWithModel() {
  const net = swarmTestnet();
  const paths = buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href);
  let modelDir: ReturnType<typeof makeTempDir> | undefined;
  beforeAll(async () => {
    modelDir = makeTempDir();
    await tinyModel(join(modelDir.path, 'tiny.gguf'), 5, 'llama', 2048);
  }, 60_000);
  afterAll(() => modelDir?.remove());
  const installation = async (name: string) => {
    const installed = await swarmInstallation(net.testnet, name, net.cleanups, { paths });
    await addModel(installed.db, join(modelDir!.path, 'tiny.gguf'), Date.now());
    return installed;
  };
  const circleOfTwo = async () => {
    const ana = await installation('Ana');
    const ben = await installation('Ben');
    ben.services.swarm.join(ana.services.swarm.invite());
    await ana.services.swarm.start();
    await ben.services.swarm.start();
    await until(() => ana.services.swarm.onlinePeers().length === 1 && ben.services.swarm.onlinePeers().length === 1, 'both to meet');
    return { ana, ben };
  };
  return { net, installation, circleOfTwo };
}
