import type { Testnet } from 'hyperdht/testnet.js';
import { AppServices, type AppServicesOptions } from '../../electron/services/app-services.node';
import { makeTempDir } from './temp-dir';

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
