import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { APP_VERSION, AppServices } from '../services/app-services.node';
import { BrowserServer, DEFAULT_PORT } from '../server/browser-server.node';
import { stopSignal, UsageError, type Command } from './command.node';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run LightSeed headless and serve the app to a browser on 127.0.0.1',
  usage: '[--port N]',
  options: { port: { type: 'string' } },
  optionHelp: { port: { value: 'N', text: `TCP port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)` } },
  async run(values, _positionals, context) {
    const port = parsePort(values.port);
    if (!existsSync(join(context.paths.rendererDir, 'index.html'))) {
      context.err('The app is not built yet: run `npm run build` (or `npm run serve`) first.');
      return 1;
    }
    const services = await AppServices.create({ dataDir: context.dataDir, mode: 'browser', paths: context.paths });
    let server: BrowserServer;
    try {
      server = await BrowserServer.start({ services, rendererDir: context.paths.rendererDir, port });
    } catch (error) {
      await services.shutdown();
      throw error;
    }
    // Listen for Ctrl+C before printing the URL: whoever reads it may stop us at once.
    const stopped = stopSignal();
    // The circle this installation joined, if any (joining was the opt-in); a failure to connect is said, not fatal.
    services.swarm.start().catch((error: unknown) => context.err(`The circle could not be joined now: ${(error as Error).message}`));
    context.out(`LightSeed ${APP_VERSION}, browser mode`);
    context.out(`  data  ${context.dataDir}`);
    context.out(`  open  ${server.url}`);
    context.out('Only this machine can connect, and only with the token in that URL. Press Ctrl+C to stop.');
    await stopped;
    context.out('Stopping: closing connections and the database…');
    await server.dispose();
    await services.shutdown();
    context.out('Stopped.');
    return 0;
  },
};

function parsePort(value: unknown): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, not ${JSON.stringify(value)}.`);
  }
  return port;
}
