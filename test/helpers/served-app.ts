// The set-up every browser test shares: a temporary folder, what the test puts in it
// (models, Genesis seeds, a lineage), `lightseed serve` on it, Chromium and a page at
// the printed URL, with console and page errors collected; all torn down afterwards.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServe, type ServeProcess } from './cli';
import { launchChromium, openPage } from './chromium';
import { makeTempDir } from './temp-dir';

export interface ServedApp {
  /** The temporary folder (the data folder unless `prepare` names another). */
  readonly dir: string;
  readonly serve: ServeProcess;
  readonly browser: Browser;
  readonly page: Page;
  /** Console errors and page errors, which a test expects to stay empty. */
  readonly problems: string[];
}

export interface Prepared {
  /** The data folder `serve` runs on, when not the temporary folder itself. */
  dataDir?: string;
  /** Environment for `serve` (a catalog, a mirror). */
  env?: NodeJS.ProcessEnv;
}

/** Registers the suite's beforeAll and afterAll; the fields are there once beforeAll ran. */
export function servedApp(prepare: (dir: string) => Promise<Prepared | void> | Prepared | void = () => {}, timeoutMs = 60_000): ServedApp {
  const state: { dir?: ReturnType<typeof makeTempDir>; serve?: ServeProcess; browser?: Browser; page?: Page } = {};
  const problems: string[] = [];
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`The served app's ${what} is used before its beforeAll ran.`);
    return value;
  };
  beforeAll(async () => {
    state.dir = makeTempDir();
    const prepared = (await prepare(state.dir.path)) ?? {};
    state.serve = await startServe(prepared.dataDir ?? state.dir.path, prepared.env ?? {});
    state.browser = await launchChromium();
    state.page = await openPage(state.browser, state.serve.url, problems);
  }, timeoutMs);
  afterAll(async () => {
    await state.browser?.close();
    await state.serve?.stop();
    state.dir?.remove();
  });
  return {
    get dir() {
      return need(state.dir, 'folder').path;
    },
    get serve() {
      return need(state.serve, 'server');
    },
    get browser() {
      return need(state.browser, 'browser');
    },
    get page() {
      return need(state.page, 'page');
    },
    problems,
  };
}
