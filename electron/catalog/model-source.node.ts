// Where a catalog model comes from: Hugging Face by default; a mirror that serves the same
// `OWNER/REPO/resolve/REVISION/FILE` layout, or a local folder, when LIGHTSEED_MODEL_MIRROR
// names one; or one file or URL the user gives for this download.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { CatalogEntry } from './catalog.std';

export interface ModelSource {
  /** What is fetched: an http(s) URL (Hugging Face's resolve address or a mirror's) or a local path (copied). */
  uri: string;
  /** For messages: "huggingface.co", "the mirror http://…", "the file /…". */
  description: string;
  /** Whether fetching it goes over the network. */
  network: boolean;
}

export class ModelSourceError extends Error {
  override readonly name = 'ModelSourceError';
}

const isHttpUrl = (text: string) => /^https?:\/\//i.test(text);

export const HUGGING_FACE = 'https://huggingface.co/';

/** Hugging Face's resolve address of the entry's file: ENDPOINT/OWNER/REPO/resolve/REVISION/FILE, each part escaped. */
export function resolveUrl(entry: CatalogEntry, endpoint = HUGGING_FACE): string {
  const base = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
  const [owner, repo] = entry.repo.split('/') as [string, string];
  return new URL([owner, repo, 'resolve', entry.revision, entry.file].map(encodeURIComponent).join('/'), base).href;
}

/**
 * `from` (a file or URL for this download) wins over `mirror` (LIGHTSEED_MODEL_MIRROR: an
 * http(s) endpoint laid out like Hugging Face, or a folder holding OWNER/REPO/FILE or FILE).
 */
export function resolveModelSource(entry: CatalogEntry, options: { from?: string | undefined; mirror?: string | undefined; cwd?: string }): ModelSource {
  const cwd = options.cwd ?? process.cwd();
  if (options.from) {
    if (isHttpUrl(options.from)) return { uri: options.from, description: `${new URL(options.from).host}`, network: true };
    const path = resolve(cwd, options.from);
    if (!existsSync(path) || !statSync(path).isFile()) throw new ModelSourceError(`${path} is not a file: give the downloaded ${entry.file}, or a URL.`);
    return { uri: path, description: `the file ${path}`, network: false };
  }
  const mirror = options.mirror?.trim();
  if (mirror) {
    if (isHttpUrl(mirror)) return { uri: resolveUrl(entry, mirror), description: `the mirror ${mirror}`, network: true };
    const folder = isAbsolute(mirror) ? mirror : resolve(cwd, mirror.replace(/^file:\/\//, ''));
    const candidates = [join(folder, entry.repo, entry.file), join(folder, entry.file)];
    const found = candidates.find((path) => existsSync(path) && statSync(path).isFile());
    if (!found) throw new ModelSourceError(`The mirror folder ${folder} (LIGHTSEED_MODEL_MIRROR) has neither ${entry.repo}/${entry.file} nor ${entry.file}.`);
    return { uri: found, description: `the mirror folder ${folder}`, network: false };
  }
  return { uri: resolveUrl(entry), description: 'huggingface.co', network: true };
}
