// ARCHITECTURE.md and the README's layout name files and folders; they must exist, so the
// map cannot drift from the code unnoticed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
const files = new Set(tracked.map((path) => basename(path)));
const folders = new Set(tracked.flatMap((path) => path.split('/').slice(0, -1)));
const stems = new Set([...files].map((name) => name.replace(/\.(std|node|main|preload|dom)\.(ts|cjs)$|\.svelte(\.ts)?$|\.ts$/, '')));

function named(text: string): { files: string[]; folders: string[]; stems: string[] } {
  return {
    files: [...new Set([...text.matchAll(/[\w-]+\.(?:std|node|main|preload|dom)\.(?:ts|cjs)|[\w-]+\.js(?=`)/g)].map((m) => m[0]))],
    folders: [...new Set([...text.matchAll(/`?\b([a-z][\w-]*)\/(?=[`\s),])/g)].map((m) => m[1]!))],
    // Module names written without their suffix: agent-life, engine-client, model-registry, …
    stems: [...new Set([...text.matchAll(/\b((?:agent|chat|council|lineage|settings|entropy|inference|model|engine)-(?:[a-z]+-)*[a-z]+)\b(?!\.)/g)].map((m) => m[1]!))],
  };
}

describe('the architecture map', () => {
  for (const doc of ['ARCHITECTURE.md', 'README.md']) {
    it(`${doc} names only files and folders that exist`, () => {
      const text = readFileSync(new URL(doc, `file://${ROOT}`), 'utf8');
      const { files: namedFiles, folders: namedFolders, stems: namedStems } = named(doc === 'README.md' ? text.slice(text.indexOf('Layout:'), text.indexOf('### Packaging')) : text);
      expect(namedFiles.length + namedFolders.length + namedStems.length).toBeGreaterThan(doc === 'README.md' ? 15 : 35);
      expect(namedFiles.filter((name) => !files.has(name))).toEqual([]);
      expect(namedFolders.filter((name) => !folders.has(name))).toEqual([]);
      expect(namedStems.filter((stem) => !stems.has(stem) && !stems.has(`${stem}.node`))).toEqual([]);
    });
  }
});
