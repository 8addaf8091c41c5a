// Text the entropy commands print for people (JSON output skips all of this).
import type { GenesisRecord } from '../../native-bridge/harvest/harvest-store.std';
import { GENESIS_MIN_CREDITED_BITS } from '../../native-bridge/conditioning/genesis-conditioner.node';
import type { HarvestStatus } from '../api/contract.std';
import { formatDuration as duration } from '../api/units.std';

export function formatBits(bits: number): string {
  return bits >= 100 ? bits.toFixed(0) : bits.toFixed(1);
}


/** One line of progress for stderr. */
export function progressLine(status: HarvestStatus): string {
  switch (status.phase) {
    case 'opening':
      return `Opening ${status.uri}…`;
    case 'calibrating': {
      const c = status.calibration;
      if (!c) return 'Calibrating…';
      const left = c.rate > 0 ? (c.target - c.samples) / c.rate : null;
      return `Calibrating ${status.source?.description ?? ''}: ${c.samples.toLocaleString('en')} / ${c.target.toLocaleString('en')} samples (${Math.round((100 * c.samples) / c.target)}%, ${duration(left)} left)`;
    }
    case 'assessing':
      return `Assessing min-entropy (SP 800-90B): step ${status.assessing?.done ?? 0} of ${status.assessing?.total ?? '?'}`;
    case 'harvesting': {
      const h = status.health;
      const health = h ? (h.state === 'failed' ? 'FAILED' : h.state === 'startup' ? 'startup test' : 'healthy') : '…';
      return `Harvesting: ${formatBits(status.creditedBits)} / ${status.targetBits} bits credited, ${formatBits(status.bitsPerSecond)} bit/s, ${duration(status.etaSeconds)} left, health ${health}`;
    }
    default:
      return status.message ?? status.phase;
  }
}

/** The Genesis record as a person reads it. */
export function formatGenesis(id: number, record: GenesisRecord): string {
  const a = record.assessment;
  const lines = [
    `Genesis #${id}`,
    `  seed            ${record.seed}`,
    `  source          ${record.source.description}`,
    `  uri             ${record.source.uri}`,
    `  device          ${record.source.deviceId}`,
    `  time            ${new Date(record.startedAt).toISOString()} → ${new Date(record.endedAt).toISOString()} (${((record.endedAt - record.startedAt) / 1000).toFixed(1)} s)`,
    `  min-entropy     ${a.minEntropy.toFixed(4)} bits/sample of ${a.bitsPerSample} credited (${a.reused ? 'stored estimate' : 'assessed now'} on ${a.samples.toLocaleString('en')} samples, limited by ${a.limitedBy}${
      a.provisional ? `; provisional: the estimators gave ${a.assessedMinEntropy.toFixed(4)}, credited at half until a million samples are assessed` : ''
    }${a.cappedBy ? `; ${a.cappedBy.reason}` : ''})`,
    `  samples         ${record.samples.read.toLocaleString('en')} read, ${record.samples.calibration.toLocaleString('en')} assessed, ${record.samples.conditioned.toLocaleString('en')} conditioned, ${record.samples.discarded.toLocaleString('en')} discarded`,
    `  credited        ${formatBits(record.creditedBits)} bits from ${record.contributions.length} contribution(s); a Genesis seed needs ${GENESIS_MIN_CREDITED_BITS}, and all of them were conditioned into it`,
    `  conditioning    SHA-256: ${record.conditioning.inputBits} bits in, h_out = ${record.conditioning.outputEntropy.toFixed(4)} of 256 bits`,
    `  health tests    RCT cutoff ${record.health.rctCutoff} (longest run ${record.health.longestRun}), APT cutoff ${record.health.aptCutoff}/${record.health.aptWindow} (highest ${record.health.highestWindowCount}), ${record.health.windowsPassed} windows passed`,
    `  raw capture     sha256 ${record.rawCapture.sha256} (${record.rawCapture.bytes.toLocaleString('en')} bytes, first ${record.rawCapture.auditBytes.toLocaleString('en')} kept)`,
  ];
  if (record.source.note) lines.push(`  note            ${record.source.note}`);
  return lines.join('\n');
}
