// A local catalog file (LIGHTSEED_MODEL_CATALOG): a JSON array of entries in the catalog's
// own shape that adds models or replaces known ones by name — a model shared on a local
// network, or a newer file than the one known here.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CatalogEntry, KNOWN_MODELS, mergeCatalog } from './catalog.std';

export class CatalogFileError extends Error {
  override readonly name = 'CatalogFileError';
}

export function readCatalogFile(path: string): CatalogEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CatalogFileError(`The model catalog ${path} (LIGHTSEED_MODEL_CATALOG) cannot be read as JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = z.array(CatalogEntry).max(1000).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CatalogFileError(`The model catalog ${path} (LIGHTSEED_MODEL_CATALOG) has a bad entry at ${issue.path.join('.') || 'the top'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The known models, with the entries of LIGHTSEED_MODEL_CATALOG's file where it names one. */
export function loadCatalog(env: NodeJS.ProcessEnv = process.env): CatalogEntry[] {
  const file = env.LIGHTSEED_MODEL_CATALOG?.trim();
  return file ? mergeCatalog(KNOWN_MODELS, readCatalogFile(file)) : [...KNOWN_MODELS];
}
