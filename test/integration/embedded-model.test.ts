// The embedded model, as a newcomer meets it: a fresh data folder with no model added
// harvests a Genesis seed from CPU jitter, gives birth and chats, and the replies are
// words. Also: the shipped file validates, stays under 10 MB with ternary layers in
// TQ2_0 and 8-bit embeddings.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterShapeOf } from '../../electron/agents/adapter-shape.node';
import { materialiseAdapter } from '../../electron/agents/adapter.node';
import { meanSymmetricKl, perplexity, probeDistributions } from '../../electron/agents/identity-measure.node';
import { samplingProfile } from '../../electron/agents/profile.std';
import { adapterRank, traitsFromChain } from '../../electron/agents/traits.node';
import { EngineClient } from '../../electron/inference/engine-client.node';
import type { AdapterRef } from '../../electron/inference/engine-protocol.std';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
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

  it('gives agents measurably different voices at the model’s quality (KL between agents, perplexity with and without adapters)', async () => {
    await using engine = new EngineClient({ workerPath: buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href).engineWorker });
    await engine.load(MODEL, { threads: 1, contextSize: 256 });
    const shape = await adapterShapeOf(MODEL);
    const seed = (text: string) => new Uint8Array(createHash('sha256').update(text).digest());
    const adapter = async (...links: Uint8Array[]): Promise<AdapterRef[]> => {
      const chain = new Uint8Array(links.length * 32);
      links.forEach((l, i) => chain.set(l, i * 32));
      const traits = traitsFromChain(chain);
      const { path } = await materialiseAdapter({ chain, traits, rank: adapterRank(links[0]!), shape, cacheDir: join(dir.path, 'adapters') });
      return [{ path, scale: samplingProfile(traits).adapterScale }];
    };
    const ada = await adapter(seed('ada'));
    const adaChild = await adapter(seed('ada'), seed('ada child'));
    const bea = await adapter(seed('bea'));
    const [base, a, child, b] = await Promise.all([[], ada, adaChild, bea].map((set) => probeDistributions(engine, set)));
    const unrelated = meanSymmetricKl(a!, b!);
    const parentChild = meanSymmetricKl(a!, child!);
    const fromBase = meanSymmetricKl(base!, a!);
    // Held-out text: WordNet-style answers and fortunes the model was not trained on, in its ChatML form.
    const heldOut = [
      '<|im_start|>user\nWhat is a lantern?<|im_end|>\n<|im_start|>assistant\nA lantern is a light with a transparent case protecting the flame.<|im_end|>\n',
      '<|im_start|>user\nTell me something.<|im_end|>\n<|im_start|>assistant\nThe quiet river remembers every stone it has passed.<|im_end|>\n',
      '<|im_start|>user\nI feel tired.<|im_end|>\n<|im_start|>assistant\nWhy do you feel tired? Rest is part of the work.<|im_end|>\n',
    ];
    const plain = await perplexity(engine, heldOut, []);
    const withAda = await perplexity(engine, heldOut, ada);
    const withBea = await perplexity(engine, heldOut, bea);
    console.log(
      `embedded model identity: KL(Ada, Bea) ${unrelated.toFixed(4)} nats, KL(Ada, Ada II) ${parentChild.toFixed(5)}, KL(base, Ada) ${fromBase.toFixed(4)}; perplexity ${plain.toFixed(2)} without an adapter, ${withAda.toFixed(2)} with Ada's, ${withBea.toFixed(2)} with Bea's`,
    );
    expect(unrelated).toBeGreaterThan(1e-3);
    expect(parentChild).toBeLessThan(unrelated / 10);
    expect(withAda / plain).toBeLessThan(1.15);
    expect(withBea / plain).toBeLessThan(1.15);
  }, 120_000);
});
