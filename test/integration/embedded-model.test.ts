// The embedded model, as a newcomer meets it: a fresh data folder with no model added
// harvests a Genesis seed from CPU jitter, gives birth and chats, and the replies are
// words. Also: the shipped file validates, stays under 10 MB with ternary layers in
// TQ2_0 and 8-bit embeddings.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGguf } from '../../electron/inference/gguf/gguf-reader.node';
import { validateModel } from '../../electron/inference/gguf/gguf-validate.std';
import { EMBEDDED_MODEL_FILE } from '../../electron/paths/build-paths.node';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';

const MODEL = fileURLToPath(new URL(`../../models/${EMBEDDED_MODEL_FILE}`, import.meta.url));
let dir: ReturnType<typeof makeTempDir>;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => dir.remove());

/** Share of the reply's words that look like English words (letters with a vowel, ordinary length). */
function wordLike(text: string): number {
  const words = text.split(/\s+/).map((w) => w.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, '')).filter(Boolean);
  if (words.length === 0) return 0;
  return words.filter((w) => /^[A-Za-z][a-z']*$/.test(w) && /[aeiouy]/i.test(w) && w.length <= 14).length / words.length;
}

describe('the embedded model', () => {
  it('is a valid ternary GGUF under 10 MB', async () => {
    expect(statSync(MODEL).size).toBeLessThan(10 * 1024 * 1024);
    const summary = validateModel(await readGguf(MODEL), MODEL);
    expect(summary.architecture).toBe('llama');
    expect(summary.types).toMatchObject({ TQ2_0: expect.any(Number), Q8_0: 1 });
    expect(summary.chatTemplate).toContain('<|im_start|>');
  });

  it('lets a fresh install harvest, give birth and chat in words, with no model added', () => {
    const harvest = runCli(['--data-dir', dir.path, 'harvest', '--source', 'jitter:', '--calibration-samples', '200000', '--json'], {}, 180_000);
    expect(harvest.status, harvest.stderr).toBe(0);
    const born = runCli(['--data-dir', dir.path, 'birth', '1', '--name', 'Ada']);
    expect(born.status, born.stderr).toBe(0);
    const chat = runCli(['--data-dir', dir.path, 'chat', 'Ada'], {}, 180_000, 'What is a river?\nHello! Who are you?\n/quit\n');
    expect(chat.status, chat.stderr).toBe(0);
    const replies = [...chat.stdout.matchAll(/^Ada: (.*)$/gm)].map((m) => m[1]!);
    expect(replies).toHaveLength(2);
    for (const reply of replies) expect(wordLike(reply), reply).toBeGreaterThan(0.6);
    const models = runCli(['--data-dir', dir.path, 'models', 'list', '--json']);
    expect(JSON.parse(models.stdout)).toMatchObject([{ name: 'LightSeed Companion', isDefault: true }]);
  }, 400_000);
});
