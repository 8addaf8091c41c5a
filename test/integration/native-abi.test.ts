// better-sqlite3 built for another runtime (Electron's ABI in node_modules, say) is
// said in words with the command that fixes it, and the database file is not touched.
// The mismatched addon is a real one: a module registered with an ABI no runtime has,
// compiled here against Node's own headers, refused by Node's real loader.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { abiMismatch, NativeModuleAbiError } from '../../electron/store/errors.std';
import { makeTempDir } from '../helpers/temp-dir';

const headers = join(dirname(dirname(process.execPath)), 'include', 'node');
const compiler = ['/usr/bin/g++', '/usr/bin/c++'].find((path) => existsSync(path));
const why = !existsSync(join(headers, 'node.h')) ? `Node's headers are not at ${headers}` : !compiler ? 'no C++ compiler' : undefined;

const ADDON = `#include <node.h>
static void Init(v8::Local<v8::Object>, v8::Local<v8::Value>, void*) {}
static node::node_module other_abi = { 999, 0, nullptr, __FILE__, Init, nullptr, "other_abi", nullptr, nullptr };
__attribute__((constructor)) static void register_other_abi() { node_module_register(&other_abi); }
`;

let dir: ReturnType<typeof makeTempDir>;
let addon: string;
beforeAll(() => {
  dir = makeTempDir();
  addon = join(dir.path, 'better_sqlite3.node');
  if (why) return;
  writeFileSync(join(dir.path, 'addon.cc'), ADDON);
  execFileSync(compiler!, ['-shared', '-fPIC', '-std=c++17', `-I${headers}`, '-o', addon, join(dir.path, 'addon.cc')]);
}, 60_000);
afterAll(() => dir.remove());

describe('a native module built for another runtime', () => {
  it('reads both ABIs from the loader message', () => {
    const message = `The module '/x/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 145. This version of Node.js requires\nNODE_MODULE_VERSION 115. Please try re-compiling or re-installing`;
    expect(abiMismatch(new Error(message))).toEqual({ builtFor: 145, runtimeNeeds: 115 });
    expect(abiMismatch(new Error('SQLITE_CORRUPT: database disk image is malformed'))).toBeUndefined();
  });

  it('is refused with the fix in words, leaving no database behind', async (context) => {
    if (why) context.skip(`cannot build a mismatched addon here: ${why}`);
    const path = join(dir.path, 'data', 'lightseed.db');
    const opening = Database.open({ path, nativeBinding: addon });
    await expect(opening).rejects.toBeInstanceOf(NativeModuleAbiError);
    await expect(opening).rejects.toThrow(`better-sqlite3 was compiled for another runtime (ABI 999); Node.js needs ABI ${process.versions.modules}`);
    await expect(opening).rejects.toThrow(/npm rebuild better-sqlite3/);
    expect(existsSync(path)).toBe(false);
  });
});
