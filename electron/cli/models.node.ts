// Model registry and generation commands.
import { AppServices } from '../services/app-services.node';
import { drawSamplingSeed } from '../services/sampling-entropy.node';
import { EngineClient } from '../inference/engine-client.node';
import { needsLightSeedBuild } from '../inference/gguf/gguf-validate.std';
import { getModel, listModels, removeModel, setDefaultModel, type RegisteredModel } from '../store/models.node';
import { UsageError, type CliContext, type Command, type OptionValues } from './command.node';
import type { CatalogItem, DownloadStatus } from '../api/contract.std';
import { formatBytes, formatDuration } from '../api/units.std';

function describeCatalogItem(item: CatalogItem): string {
  const params = item.parameters >= 1e9 ? `${(item.parameters / 1e9).toFixed(1)}B` : `${(item.parameters / 1e6).toFixed(0)}M`;
  const state =
    item.modelId !== null ? `  [got: model #${item.modelId}]` : item.partialBytes > 0 ? `  [paused: ${formatBytes(item.partialBytes)} here, \`models get ${item.name}\` resumes]` : '';
  return [
    `${item.name}: ${item.title}, ${params} parameters, ${item.format} (${item.architecture}), ${item.sizeExact ? '' : 'about '}${formatBytes(item.sizeBytes)}, needs about ${formatBytes(item.memoryBytes)} of memory, ${item.licence}${item.chat ? '' : ', base model (continues text)'}${state}`,
    `    ${item.summary}`,
    `    huggingface.co/${item.repo} ${item.file}${item.revision === 'main' ? '' : ` @ ${item.revision.slice(0, 12)}`}, sha256 ${item.sha256 ?? 'not published (checked structurally and by llama.cpp instead)'}`,
  ].join('\n');
}

/** A progress bar on one redrawn line, or a line every tenth where stderr is not a terminal. */
function progressPrinter(context: CliContext): (status: DownloadStatus) => void {
  let lastTenth = -1;
  let lastState = '';
  return (status) => {
    if (status.state !== 'downloading') {
      if (status.state !== lastState && status.state === 'adding') {
        if (context.interactive) process.stderr.write('\r\x1b[2K');
        context.err(`${status.name}: ${formatBytes(status.total)} / ${formatBytes(status.total)} (100%)`);
        context.err(status.message ?? 'Checking…');
      }
      lastState = status.state;
      return;
    }
    lastState = status.state;
    const fraction = status.total > 0 ? Math.min(1, status.downloaded / status.total) : 0;
    const rate = status.bytesPerSecond > 0 ? `${formatBytes(status.bytesPerSecond)}/s, ${formatDuration(status.secondsLeft)} left` : 'starting';
    const text = `${formatBytes(status.downloaded)} / ${formatBytes(status.total)} (${(fraction * 100).toFixed(0)}%), ${rate}`;
    if (context.interactive) {
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
    } else if (Math.floor(fraction * 10) > lastTenth) {
      lastTenth = Math.floor(fraction * 10);
      context.err(`${status.name}: ${text}`);
    }
  };
}

function describe(model: RegisteredModel): string {
  const types = Object.entries(model.types)
    .map(([t, n]) => `${t}×${n}`)
    .join(' ');
  const params = model.parameterCount >= 1e9 ? `${(model.parameterCount / 1e9).toFixed(2)}B` : `${(model.parameterCount / 1e6).toFixed(2)}M`;
  const bits = model.bitsPerWeight === null ? '' : `, ${model.bitsPerWeight.toFixed(2)} bits per weight`;
  const format = model.oneBit ? `1-bit (${model.weightType ?? types}${bits})` : `not 1-bit (${model.weightType ?? types}${bits})`;
  const experts = model.expertCount > 0 ? `, ${model.expertCount} experts` : '';
  const activation = model.activation ? `, ${model.activation} feed-forward` : '';
  const lines = [
    `#${model.id}${model.isDefault ? ' (default)' : ''} ${model.name}: ${model.architecture}, ${params} parameters${experts}, ${format}${activation}, context ${model.contextLength}`,
    `    ${model.path}`,
    `    tensors: ${types}`,
  ];
  if (model.convertedFrom) lines.push(`    from ${model.convertedFrom}: ${model.conversion ?? 'converted'}`);
  return lines.join('\n');
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'Manage local 1-bit models: catalog, get (download), add (validated), list, rm, default, cancel',
  usage: 'catalog | get NAME [--from FILE|URL] [--keep-default] | cancel NAME | add FILE | list | rm MODEL | default MODEL [--json]',
  options: { json: { type: 'boolean' }, from: { type: 'string' }, 'keep-default': { type: 'boolean' } },
  optionHelp: {
    json: { text: 'print JSON' },
    from: { value: 'FILE|URL', text: "get: take the model from this file or URL instead of the catalog's source" },
    'keep-default': { text: 'get: leave the default model as it is' },
  },
  async run(values, [action = 'list', key], context) {
    await using services = await AppServices.create({ dataDir: context.dataDir, mode: 'cli', heartbeatMs: 0, paths: context.paths });
    const db = services.database.connection;
    const print = (model: RegisteredModel | RegisteredModel[]) => context.out(values.json ? JSON.stringify(model, null, 2) : [model].flat().map(describe).join('\n'));
    switch (action) {
      case 'catalog': {
        const entries = await services.downloads.catalog();
        if (values.json) context.out(JSON.stringify({ entries, source: services.downloads.source }, null, 2));
        else {
          context.out(entries.map(describeCatalogItem).join('\n'));
          context.out(`\nListing these contacted nothing. \`lightseed models get NAME\` downloads from ${services.downloads.source}.`);
        }
        return 0;
      }
      case 'get': {
        if (!key) throw new UsageError('models get needs a catalog name: `lightseed models catalog` lists them.');
        const entry = services.downloads.entry(key);
        const print = progressPrinter(context);
        // Ctrl-C pauses: what arrived stays, and the same command resumes.
        const interrupt = () => void services.downloads.pause(key);
        process.once('SIGINT', interrupt);
        process.once('SIGTERM', interrupt);
        try {
          const { status, model } = await services.downloads.get(entry.name, { from: typeof values.from === 'string' ? values.from : undefined, keepDefault: values['keep-default'] === true, onStatus: print });
          if (context.interactive) process.stderr.write('\r\x1b[2K');
          if (status.state !== 'done' || !model) {
            context.err(`lightseed: ${status.message ?? status.state}`);
            return status.state === 'paused' ? 130 : 1;
          }
          if (values.json) context.out(JSON.stringify(model, null, 2));
          else context.out(describe(model));
          context.err(status.message ?? 'Done.');
          return 0;
        } finally {
          process.off('SIGINT', interrupt);
          process.off('SIGTERM', interrupt);
        }
      }
      case 'cancel': {
        if (!key) throw new UsageError('models cancel needs a catalog name.');
        const status = await services.downloads.cancel(services.downloads.entry(key).name);
        context.out(status.message ?? `Nothing of ${key} was on disk.`);
        return 0;
      }
      case 'add': {
        if (!key) throw new UsageError('models add needs a GGUF file.');
        let model: RegisteredModel;
        try {
          model = await services.inference.add(key);
        } catch (error) {
          // The registry's own error (what is wrong with the file), not the API's wrapper of it.
          throw (error as Error).cause ?? error;
        }
        print(model);
        for (const warning of model.warnings) context.err(`warning: ${warning}`);
        return 0;
      }
      case 'list': {
        const models = listModels(db);
        if (!values.json && models.length === 0) context.out('No models added: `lightseed models catalog` lists 1-bit models to get in one step; `lightseed models add FILE.gguf` adds one you have (TQ1_0, TQ2_0, Q1_0, Q2_0, or bitnet.cpp\'s I2_S).');
        else print(models);
        return 0;
      }
      case 'rm':
        if (!key) throw new UsageError('models rm needs a model: its number, name or path.');
        context.out(`Removed ${removeModel(db, key).name} from the registry (the file was not touched).`);
        return 0;
      case 'default':
        if (!key) throw new UsageError('models default needs a model: its number, name or path.');
        print(setDefaultModel(db, key));
        return 0;
      default:
        throw new UsageError(`Unknown models action "${action}": use catalog, get, cancel, add, list, rm or default.`);
    }
  },
};

/** --top-k, --top-p, --min-p and --repeat-penalty, each checked; what is not given keeps llama.cpp's default. */
function samplerOptions(values: OptionValues): Partial<{ topK: number; topP: number; minP: number; repeatPenalty: number }> {
  const read = (name: string, valid: (n: number) => boolean, what: string) => {
    const value = values[name];
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!valid(n)) throw new UsageError(`--${name} must be ${what}.`);
    return n;
  };
  const topK = read('top-k', (n) => Number.isInteger(n) && n >= 0, 'a whole number, 0 or more (0 keeps every token)');
  const topP = read('top-p', (n) => n > 0 && n <= 1, 'more than 0 and at most 1');
  const minP = read('min-p', (n) => n >= 0 && n < 1, 'at least 0 and below 1');
  const repeatPenalty = read('repeat-penalty', (n) => Number.isFinite(n) && n > 0, 'a number above 0 (1 = off)');
  return { ...(topK !== undefined ? { topK } : {}), ...(topP !== undefined ? { topP } : {}), ...(minP !== undefined ? { minP } : {}), ...(repeatPenalty !== undefined ? { repeatPenalty } : {}) };
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Generate text with a local model, streaming tokens (our sampler, randomness from the entropy pool)',
  usage: '--prompt TEXT [--model MODEL] [--max-tokens N] [--temperature T] [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R] [--chat] [--threads N] [--json]',
  options: {
    model: { type: 'string' },
    prompt: { type: 'string' },
    'max-tokens': { type: 'string' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    'min-p': { type: 'string' },
    'repeat-penalty': { type: 'string' },
    chat: { type: 'boolean' },
    json: { type: 'boolean' },
    threads: { type: 'string' },
  },
  optionHelp: {
    model: { value: 'MODEL', text: 'number, name or path of a registered model (default: the default model)' },
    prompt: { value: 'TEXT', text: 'what to continue, or with --chat the user message' },
    'max-tokens': { value: 'N', text: 'most tokens to generate (default 128)' },
    temperature: { value: 'T', text: 'sampling temperature (default 0.8; 0 = greedy: the most likely token, as llama.cpp decodes greedily)' },
    'top-k': { value: 'K', text: 'keep the K most likely tokens (default 40; 0 = all)' },
    'top-p': { value: 'P', text: 'keep the most likely tokens up to probability P (default 0.95; 1 = all)' },
    'min-p': { value: 'P', text: 'drop tokens less likely than P times the likeliest (default 0.05; 0 = none)' },
    'repeat-penalty': { value: 'R', text: 'divide the logits of the last 64 tokens by R (default 1: off, as in llama.cpp)' },
    json: { text: 'print one JSON object at the end: the text, the token ids and the statistics' },
    chat: { text: "wrap the prompt as a user turn with the model's chat template" },
    threads: { value: 'N', text: 'threads for llama.cpp (default: the setting, or the fastest count measured when the model first loaded here)' },
  },
  async run(values, _positionals, context) {
    if (typeof values.prompt !== 'string') throw new UsageError('--prompt TEXT is required.');
    const maxTokens = values['max-tokens'] === undefined ? 128 : Number(values['max-tokens']);
    const temperature = values.temperature === undefined ? 0.8 : Number(values.temperature);
    if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new UsageError('--max-tokens must be a positive whole number.');
    if (!(temperature >= 0)) throw new UsageError('--temperature must be 0 or more.');
    const sampler = { temperature, ...samplerOptions(values) };
    const threadsOption = values.threads === undefined ? undefined : Number(values.threads);
    if (threadsOption !== undefined && !(Number.isInteger(threadsOption) && threadsOption >= 1 && threadsOption <= 256)) throw new UsageError('--threads must be a whole number from 1 to 256.');
    await using services = await AppServices.create({ dataDir: context.dataDir, mode: 'cli', heartbeatMs: 0, paths: context.paths });
    const db = services.database.connection;
    const model = typeof values.model === 'string' ? getModel(db, values.model) : await services.inference.defaultOrEmbedded();
    if (!model) throw new UsageError(typeof values.model === 'string' ? `There is no model "${values.model}".` : 'No default model: `lightseed models add FILE.gguf` first.');
    await using engine = new EngineClient({ workerPath: context.paths.engineWorker });
    const info = await engine.load(model.path, { threads: threadsOption ?? services.inference.threadsFor(model), contextSize: Math.min(model.contextLength, 2048), needsLightSeedBuild: needsLightSeedBuild(model) });
    services.inference.noteLoaded(model, info);
    const seed = await drawSamplingSeed(db);
    const chat = values.chat === true || services.inference.answersChatOnly(model);
    if (chat && !values.chat) context.err(`${model.name} answers chat turns only (it was trained on conversations), so the prompt goes to it as a user message, as with --chat.`);
    const generation = await engine.generate(
      { ...(chat ? { messages: [{ role: 'user' as const, content: values.prompt }] } : { prompt: values.prompt }), maxTokens, sampler, seed },
      (text) => (values.json ? undefined : context.stdout.write(text)),
    );
    const { stats, text, tokens } = await generation.done;
    if (values.json) context.out(JSON.stringify({ text, tokens, stats }));
    else context.stdout.write('\n');
    context.err(`${stats.tokens} tokens, ${stats.tokensPerSecond.toFixed(1)} tokens/s, first token after ${stats.timeToFirstTokenMs.toFixed(0)} ms (${stats.stopReason})`);
    return 0;
  },
};
