// `lightseed generate --temperature 0` against llama.cpp's own tools, not against LightSeed's code:
// a tiny F32 model (llama and qwen3) is quantized by llama.cpp's llama-quantize into each 1-bit
// and ternary type, and LightSeed's greedy continuation must be the one llama.cpp's llama-simple
// prints (argmax sampling, the prompt tokenized with add_special as the file asks: BOS on llama).
// The tools are built from the source node-llama-cpp bundles (`npm run build:llama-tools`);
// where they are not built the test says so and is skipped.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYTE_TOKEN_OFFSET, buildModel, type ModelShape } from '../../electron/inference/gguf/model-builder.node';
import { sfc32 } from '../fixtures/entropy-datasets';
import { REPO_ROOT, runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';

const TOOLS = process.env.LIGHTSEED_LLAMA_TOOLS ?? join(REPO_ROOT, 'node_modules', '.cache', 'lightseed', 'llama-tools');
const simple = join(TOOLS, 'llama-simple');
const quantize = join(TOOLS, 'llama-quantize');
const missing = [simple, quantize].filter((tool) => !existsSync(tool));
const why = missing.length ? ` (skipped: llama.cpp's ${missing.map((tool) => tool.split('/').pop()).join(' and ')} not built here; \`npm run build:llama-tools\` builds them)` : '';

const PROMPT = 'Once upon a time';
const TOKENS = 24;

let dir: ReturnType<typeof makeTempDir>;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => dir?.remove());

/** A small model in F32, with weights varied enough that the greedy path is not a tie. */
async function f32Model(architecture: 'llama' | 'qwen3', seed: number): Promise<string> {
  const path = join(dir.path, `${architecture}-f32.gguf`);
  const random = sfc32(seed);
  const shape: ModelShape = { architecture, embeddingLength: 256, blockCount: 2, feedForwardLength: 512, headCount: 4, headCountKv: 2, contextLength: 512, matrixType: 'F32', embeddingType: 'F16', addBosToken: architecture === 'llama' };
  await buildModel(path, shape, (name, dims) => {
    const n = dims.reduce((a, b) => a * b, 1);
    if (name.endsWith('norm.weight')) return new Float32Array(n).fill(1);
    if (name === 'token_embd.weight' || name === 'output.weight') return Float32Array.from({ length: n }, () => (random() + random() + random() - 1.5) * 0.8);
    const s = 1 / Math.sqrt(dims[0]!);
    return Float32Array.from({ length: n }, () => (random() * 2 - 1) * s);
  });
  return path;
}

describe.skipIf(missing.length > 0)(`greedy decoding equals llama.cpp's llama-simple${why}`, () => {
  for (const architecture of ['llama', 'qwen3'] as const) {
    for (const type of ['TQ1_0', 'TQ2_0', 'Q1_0', 'Q2_0'] as const) {
      it(`${architecture} in ${type}, quantized by llama-quantize`, { timeout: 120_000 }, async () => {
        const f32 = await f32Model(architecture, architecture === 'llama' ? 21 : 22);
        const model = join(dir.path, `${architecture}-${type}.gguf`);
        if (!existsSync(model)) execFileSync(quantize, [f32, model, type], { stdio: 'ignore', timeout: 60_000 });
        // llama-simple prints each piece as bytes: the prompt's (BOS as "<s>"; SentencePiece writes
        // a space as ▁, which this byte vocabulary holds as three byte tokens), then each greedy
        // token's: a byte token as its byte, a control token (<unk>) as its text.
        const theirs = execFileSync(simple, ['-m', model, '-n', String(TOKENS), PROMPT], { timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
        const printedPrompt = Buffer.from(`${architecture === 'llama' ? '<s>' : ''}${PROMPT.replaceAll(' ', '▁')}`);
        expect(theirs.subarray(0, printedPrompt.length).equals(printedPrompt), theirs.toString('latin1')).toBe(true);
        // (It ends its output with a newline of its own.)
        expect(theirs.at(-1)).toBe(0x0a);
        const theirBytes = theirs.subarray(printedPrompt.length, -1);
        const data = join(dir.path, `data-${architecture}-${type}`);
        expect(runCli(['--data-dir', data, 'models', 'add', model], {}, 60_000).status).toBe(0);
        const ours = runCli(['--data-dir', data, 'generate', '--prompt', PROMPT, '--temperature', '0', '--max-tokens', String(TOKENS), '--threads', '1', '--json'], {}, 60_000);
        expect(ours.status, ours.stderr).toBe(0);
        const { tokens: ourTokens, stats } = JSON.parse(ours.stdout) as { tokens: number[]; stats: { stopReason: string } };
        // What llama-simple would print for our tokens: a byte token its byte, a control token its
        // text (<unk> included); printf("%s") prints the byte 0 as nothing. It counts the prompt in
        // -n, so it stops sooner: its output is where ours begins.
        const CONTROL = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'];
        const ourBytes = Buffer.concat(ourTokens.map((token) => (token < BYTE_TOKEN_OFFSET ? Buffer.from(CONTROL[token]!) : token === BYTE_TOKEN_OFFSET ? Buffer.alloc(0) : Buffer.of(token - BYTE_TOKEN_OFFSET))));
        expect(theirBytes.length).toBeGreaterThan(4);
        expect(ourBytes.subarray(0, theirBytes.length).toString('latin1'), `stopped: ${stats.stopReason}`).toBe(theirBytes.toString('latin1'));
      });
    }
  }
});
