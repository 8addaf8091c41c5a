import { GENESIS_MIN_CREDITED_BITS } from '../../native-bridge/conditioning/genesis-conditioner.node';
import { AppServices } from '../services/app-services.node';
import { UsageError, type Command } from './command.node';
import { failureMessage } from './failure-message.node';
import { formatBits, formatGenesis, progressLine } from './format.node';

export const harvestCommand: Command = {
  name: 'harvest',
  summary: `Harvest ${GENESIS_MIN_CREDITED_BITS} bits of assessed min-entropy from a noise source into a Genesis seed`,
  usage: '--source URI [--calibration-samples N] [--json]',
  options: { source: { type: 'string' }, 'calibration-samples': { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: {
    source: { value: 'URI', text: 'jitter:, rtltcp://HOST:PORT, serial:PATH?format=…, audio:DEVICE, wav:PATH, file:PATH?bits=K' },
    'calibration-samples': { value: 'N', text: 'samples to assess a new device with (default 1000000; fewer gives a provisional estimate)' },
    json: { text: 'print the Genesis record as JSON' },
  },
  async run(values, _positionals, context) {
    const uri = values.source;
    if (typeof uri !== 'string') throw new UsageError('--source URI is required (see `lightseed sources`).');
    const calibration = values['calibration-samples'];
    const calibrationSamples = calibration === undefined ? undefined : Number(calibration);
    if (calibrationSamples !== undefined && (!Number.isInteger(calibrationSamples) || calibrationSamples < 10_000)) {
      throw new UsageError('--calibration-samples must be a whole number of at least 10000.');
    }
    await using services = await AppServices.create({ dataDir: context.dataDir, mode: 'cli', paths: context.paths, heartbeatMs: 0 });
    let last = '';
    let lastAt = 0;
    const stop = services.hub.on('harvest.progress', (status) => {
      if (status.phase === 'failed') return; // said once, below, by the error it failed with
      const line = progressLine(status);
      const now = Date.now();
      if (line === last || (now - lastAt < 500 && status.phase === 'harvesting')) return;
      last = line;
      lastAt = now;
      if (context.interactive) process.stderr.write(`\r\x1b[2K${line}`);
      else context.err(line);
    });
    const stopAlarm = services.hub.on('harvest.alarm', (alarm) => context.err(`\nALARM: ${alarm.message}`));
    const interrupt = () => void services.entropy.stop();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    try {
      const { id, record } = await services.entropy.harvest({ uri, ...(calibrationSamples ? { calibrationSamples } : {}) });
      if (context.interactive) process.stderr.write('\n');
      context.out(values.json ? JSON.stringify({ id, ...record }, null, 2) : formatGenesis(id, record));
      return 0;
    } catch (error) {
      if (context.interactive) process.stderr.write('\n');
      const pool = services.entropy.status.creditedBits;
      context.err(`lightseed: ${failureMessage(error, context.dataDir)}`);
      if (pool > 0) context.err(`The pool holds ${formatBits(pool)} of ${GENESIS_MIN_CREDITED_BITS} bits; the next harvest continues from there.`);
      return 1;
    } finally {
      stop();
      stopAlarm();
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
  },
};
