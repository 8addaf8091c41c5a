import { createWriteStream } from 'node:fs';
import { conditionedOutput } from '../../native-bridge/harvest/conditioned-output.node';
import { openSource } from '../../native-bridge/sources/open-source.node';
import { sqliteHarvestStore } from '../store/entropy.node';
import { AppServices } from '../services/app-services.node';
import { UsageError, type Command } from './command.node';
import { StandardOutput } from './standard-output.node';

export const conditionCommand: Command = {
  name: 'condition',
  summary: 'Write SHA-256-conditioned output of a calibrated source, for rngtest, ent or dieharder',
  usage: '--source URI [--bytes N] [--out FILE]',
  options: { source: { type: 'string' }, bytes: { type: 'string' }, out: { type: 'string' } },
  optionHelp: {
    source: { value: 'URI', text: 'a source that was calibrated by a harvest' },
    bytes: { value: 'N', text: 'bytes to write (default 5000000: 2000 FIPS 140-2 blocks for rngtest)' },
    out: { value: 'FILE', text: 'write here instead of standard output' },
  },
  async run(values, _positionals, context) {
    const uri = values.source;
    if (typeof uri !== 'string') throw new UsageError('--source URI is required.');
    const bytes = values.bytes === undefined ? 5_000_000 : Number(values.bytes);
    if (!Number.isInteger(bytes) || bytes < 1) throw new UsageError('--bytes must be a positive whole number.');
    if (typeof values.out !== 'string' && process.stdout.isTTY) throw new UsageError('Refusing to write binary output to a terminal: pipe it (| rngtest) or pass --out FILE.');
    await using services = await AppServices.create({ dataDir: context.dataDir, mode: 'cli', heartbeatMs: 0 });
    const source = await openSource(uri);
    try {
      const assessment = sqliteHarvestStore(services.database.connection).getAssessment(source.info.deviceId, source.info.bitsPerSample);
      if (!assessment) {
        context.err(`${source.info.description} has no min-entropy estimate yet: run \`lightseed harvest --source ${uri}\` once to calibrate it.`);
        return 1;
      }
      // Standard output goes through the CLI's guard: `| rngtest -c N` closes the pipe once it
      // has its blocks, which ends the output and is no failure.
      const file = typeof values.out === 'string' ? new StandardOutput(createWriteStream(values.out)) : undefined;
      const out = file ?? context.stdout;
      for await (const block of conditionedOutput(source, assessment, bytes)) {
        if (!out.open) break;
        await out.writeAndDrain(block);
      }
      if (file) await file.end();
      if (file?.failure) throw new Error(`Could not write ${String(values.out)}: ${file.failure.message}`);
      return 0;
    } finally {
      await source.dispose();
    }
  },
};
