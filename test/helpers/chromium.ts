// Debian's Chromium driven by playwright-core, headless, with nothing reaching out.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.LIGHTSEED_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set LIGHTSEED_CHROMIUM.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Where the browser tests save their screenshots (look at them). */
export const SCREENSHOTS = new URL('../artifacts/screenshots/', import.meta.url).pathname;

/** A 1280×720 page at `url`; console errors and page errors go into `problems`, which a test expects to stay empty. */
export async function openPage(browser: Browser, url: string, problems: string[]): Promise<Page> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await page.goto(url);
  return page;
}
