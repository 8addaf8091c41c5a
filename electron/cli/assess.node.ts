import { FULL_ASSESSMENT_SAMPLES } from '../../native-bridge/estimators/assess.std';
import { workerAssessor } from '../../native-bridge/estimators/assessors.node';
import { inferBitsPerSample } from '../../native-bridge/estimators/dataset.std';
import { UsageError, type Command } from './command.node';
import { readInputFile } from './input-file.node';

export const assessCommand: Command = {
  name: 'assess',
  summary: 'Estimate the min-entropy of a raw sample file with the SP 800-90B non-IID estimators',
  usage: 'FILE [--bits K] [--json]',
  options: { bits: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: { bits: { value: 'K', text: 'bits per sample, 1–8 (default: inferred from the data, like ea_non_iid)' }, json: { text: 'print JSON' } },
  async run(values, positionals, context) {
    const [file] = positionals;
    if (!file) throw new UsageError('assess needs a file: one sample per byte.');
    const bits = values.bits === undefined ? undefined : Number(values.bits);
    if (bits !== undefined && (!Number.isInteger(bits) || bits < 1 || bits > 8)) throw new UsageError('--bits must be a whole number from 1 to 8.');
    const samples = await readInputFile(file, { what: 'a sample file (one sample per byte)' });
    const started = performance.now();
    // On every core (at most 4), as the app assesses and as ea_non_iid does; the workers end with the command.
    const assessor = workerAssessor(context.paths.assessWorker, undefined, 0);
    let result;
    try {
      // A terminal redraws one progress line; a log gets one line per step.
      result = await assessor(samples, bits ?? inferBitsPerSample(samples), (done, total) => {
        if (values.json) return;
        if (context.interactive) process.stderr.write(`\r\x1b[2KAssessing: step ${done} of ${total}`);
        else context.err(`Assessing: step ${done} of ${total}`);
      });
    } finally {
      await assessor.close();
    }
    const seconds = (performance.now() - started) / 1000;
    if (!values.json && context.interactive) process.stderr.write('\n');
    if (values.json) {
      context.out(JSON.stringify({ file, seconds, ...result }, null, 2));
      return 0;
    }
    context.out(`${file}: ${result.samples.toLocaleString('en')} samples of ${result.bitsPerSample} bits, ${result.alphabetSize} distinct values (${seconds.toFixed(1)} s)`);
    if (result.samples < FULL_ASSESSMENT_SAMPLES) context.out(`Warning: fewer than ${FULL_ASSESSMENT_SAMPLES.toLocaleString('en')} samples; the estimate is provisional.`);
    for (const e of result.estimators) {
      const parts = [e.original !== undefined ? `${e.original.toFixed(6)} / ${result.bitsPerSample} bit(s)` : '', e.bitstring !== undefined ? `bitstring ${e.bitstring.toFixed(6)}` : ''];
      context.out(`  ${e.name.padEnd(12)} ${parts.filter(Boolean).join('   ')}`);
    }
    context.out(`H_original: ${result.hOriginal.toFixed(6)}`);
    if (result.hBitstring !== undefined) context.out(`H_bitstring: ${result.hBitstring.toFixed(6)}`);
    context.out(`min-entropy: ${result.minEntropy.toFixed(6)} bits per sample (limited by ${result.limitedBy})`);
    return 0;
  },
};
