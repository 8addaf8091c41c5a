import { createWriteStream, type WriteStream } from 'node:fs';
import { conditionedOutput } from '../../native-bridge/harvest/conditioned-output.node';
import { openSource } from '../../native-bridge/sources/open-source.node';
import { sqliteHarvestStore } from '../store/entropy.node';
import { AppServices } from '../services/app-services.node';
import { UsageError, type Command } from './command.node';

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
      const out: WriteStream | NodeJS.WriteStream = typeof values.out === 'string' ? createWriteStream(values.out) : process.stdout;
      // `| rngtest -c N` closes the pipe once it has its blocks: that ends the output, it is no failure.
      let readerGone = false;
      let failure: Error | undefined;
      let wake: (() => void) | undefined;
      out.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE' && out === process.stdout) readerGone = true;
        else failure = error;
        wake?.();
      });
      for await (const block of conditionedOutput(source, assessment, bytes)) {
        if (readerGone || failure) break;
        if (!out.write(block)) await new Promise<void>((resolve) => ((wake = resolve), out.once('drain', resolve)));
      }
      if (failure) throw failure;
      if (out !== process.stdout) await new Promise<void>((resolve, reject) => (out as WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve())));
      return 0;
    } finally {
      await source.dispose();
    }
  },
};
