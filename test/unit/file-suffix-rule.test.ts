// The lint rule that keeps Electron out of the bridge and Node out of the renderer.
import { join } from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import rule from '../../.eslint/rules/file-suffix.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' } });
const at = (path: string) => join(process.cwd(), path);

tester.run('file-suffix', rule, {
  valid: [
    { filename: at('electron/api/x.std.ts'), code: "import { z } from 'zod'; import { a } from './contract.std';" },
    { filename: at('electron/store/x.node.ts'), code: "import Db from 'better-sqlite3'; import { readFile } from 'node:fs/promises'; import { a } from '../settings/settings.std';" },
    { filename: at('electron/main/x.main.ts'), code: "import { app } from 'electron'; import { AppServices } from '../services/app-services.node';" },
    { filename: at('electron/preload/x.preload.ts'), code: "import { contextBridge } from 'electron'; import { IPC_CHANNEL } from './channel.std';" },
    { filename: at('renderer/src/x.dom.ts'), code: "import type { Result } from '../../electron/api/contract.std'; import { mount } from 'svelte';" },
    { filename: at('renderer/src/x.dom.ts'), code: "import { formatBytes } from '../../electron/api/units.std';" },
    { filename: at('electron/api/y.std.ts'), code: "import type { AppServices } from '../services/app-services.node';" },
    { filename: at('native-bridge/health/rct.std.ts'), code: "import { DisposedError } from '../resource/disposed-error.std';" },
    { filename: at('test/anything.ts'), code: "import { app } from 'electron'; import fs from 'node:fs';" },
    { filename: at('electron/types.d.ts'), code: 'export {};' },
  ],
  invalid: [
    { filename: at('electron/api/thing.ts'), code: 'export const x = 1;', errors: [{ messageId: 'noSuffix' }] },
    { filename: at('native-bridge/sources/jitter.node.ts'), code: "import { app } from 'electron';", errors: [{ messageId: 'forbidden' }] },
    { filename: at('electron/store/x.node.ts'), code: "import { ipcMain } from 'electron';", errors: [{ messageId: 'forbidden' }] },
    { filename: at('electron/api/x.std.ts'), code: "import { readFileSync } from 'node:fs';", errors: [{ messageId: 'forbidden' }] },
    { filename: at('electron/api/x.std.ts'), code: "import Db from 'better-sqlite3';", errors: [{ messageId: 'forbidden' }] },
    { filename: at('electron/api/x.std.ts'), code: "import { Database } from '../store/database.node';", errors: [{ messageId: 'forbidden' }] },
    { filename: at('electron/preload/x.preload.ts'), code: "import { readFile } from 'fs';", errors: [{ messageId: 'forbidden' }] },
    { filename: at('renderer/src/x.dom.ts'), code: "import { readFile } from 'node:fs';", errors: [{ messageId: 'forbidden' }] },
    { filename: at('renderer/src/x.dom.ts'), code: "import { methods } from '../../electron/api/contract.std';", errors: [{ messageId: 'layer' }] },
    { filename: at('native-bridge/harvest/x.node.ts'), code: "import { AppServices } from '../../electron/services/app-services.node';", errors: [{ messageId: 'layer' }] },
    { filename: at('electron/api/x.std.ts'), code: "import { x } from '../../renderer/src/lib/api/client.dom';", errors: [{ messageId: 'layer' }] },
    { filename: at('native-bridge/x.main.ts'), code: 'export {};', errors: [{ messageId: 'wrongSuffix' }] },
    { filename: at('electron/store/x.node.ts'), code: "export { app } from 'electron';", errors: [{ messageId: 'forbidden' }] },
    { filename: at('electron/store/x.node.ts'), code: "const e = await import('electron');", errors: [{ messageId: 'forbidden' }] },
    { filename: at('electron/store/x.node.ts'), code: "import { validateModel } from '../inference/gguf/gguf-validate.std';", errors: [{ messageId: 'folder' }] },
    { filename: at('electron/store/x.node.ts'), code: "import type { RegisteredModel } from '../api/contract.std';", errors: [{ messageId: 'folder' }] },
    { filename: at('electron/catalog/x.node.ts'), code: "import { getModel } from '../store/models.node';", errors: [{ messageId: 'folder' }] },
    { filename: at('electron/cards/x.node.ts'), code: "import { birthAgent } from '../store/lineage.node';", errors: [{ messageId: 'folder' }] },
    { filename: at('electron/store/x.node.ts'), code: "import { readCardBytes } from '../cards/card-file.node';", errors: [{ messageId: 'folder' }] },
  ],
});
