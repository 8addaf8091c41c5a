// The entropy bridge's tables: device assessments, the pool and Genesis records.
// Rows become domain objects here and nowhere else.
import { createHash } from 'node:crypto';
import { AlreadyCreditedError, type Contribution, type GenesisRecord, type GenesisSummary, type HarvestStore, type StoredAssessment } from '../../native-bridge/harvest/harvest-store.std';
import { scalar, type ReadableDB, type WritableDB } from './sql.node';

interface AssessmentRow {
  device_id: string;
  bits_per_sample: number;
  min_entropy: number;
  samples: number;
  provisional: number;
  assessed_at: number;
  detail: string;
}

interface ContributionRow {
  id: number;
  device_id: string;
  source_uri: string;
  bits_per_sample: number;
  min_entropy: number;
  credited_bits: number;
  samples: Buffer;
  created_at: number;
}

interface GenesisRow {
  id: number;
  seed: Buffer;
  created_at: number;
  source_uri: string;
  credited_bits: number;
  record: string;
}

function toAssessment(row: AssessmentRow): StoredAssessment {
  const detail = JSON.parse(row.detail) as Pick<StoredAssessment, 'limitedBy' | 'hOriginal' | 'hBitstring'> & { assessedMinEntropy?: number };
  return {
    deviceId: row.device_id,
    bitsPerSample: row.bits_per_sample,
    minEntropy: row.min_entropy,
    assessedMinEntropy: detail.assessedMinEntropy ?? row.min_entropy,
    samples: row.samples,
    provisional: row.provisional === 1,
    assessedAt: row.assessed_at,
    limitedBy: detail.limitedBy,
    hOriginal: detail.hOriginal,
    hBitstring: detail.hBitstring,
  };
}

function toContribution(row: ContributionRow): Contribution {
  return {
    id: row.id,
    deviceId: row.device_id,
    sourceUri: row.source_uri,
    bitsPerSample: row.bits_per_sample,
    minEntropy: row.min_entropy,
    creditedBits: row.credited_bits,
    samples: new Uint8Array(row.samples.buffer, row.samples.byteOffset, row.samples.byteLength),
    createdAt: row.created_at,
  };
}

function toSummary(row: GenesisRow): GenesisSummary {
  return { id: row.id, seedHex: row.seed.toString('hex'), createdAt: row.created_at, creditedBits: row.credited_bits, source: row.source_uri };
}

export function listAssessments(db: ReadableDB): StoredAssessment[] {
  return (db.prepare<unknown[], AssessmentRow>('SELECT * FROM device_assessment ORDER BY assessed_at DESC').all()).map(toAssessment);
}

export function listGenesis(db: ReadableDB, limit = 100): GenesisSummary[] {
  return (db.prepare<unknown[], GenesisRow>('SELECT id, seed, created_at, source_uri, credited_bits, record FROM genesis ORDER BY id DESC LIMIT ?').all(limit)).map(toSummary);
}

/** The newest Genesis record that has not given birth yet. */
export function newestUnusedGenesis(db: ReadableDB): number | undefined {
  return db.prepare<unknown[], number>('SELECT id FROM genesis WHERE NOT EXISTS (SELECT 1 FROM agent WHERE agent.genesis_id = genesis.id) ORDER BY id DESC LIMIT 1').pluck().get();
}

export function getGenesis(db: ReadableDB, id: number): (GenesisSummary & { record: GenesisRecord }) | undefined {
  const row = db.prepare<unknown[], GenesisRow>('SELECT id, seed, created_at, source_uri, credited_bits, record FROM genesis WHERE id = ?').get(id);
  return row ? { ...toSummary(row), record: JSON.parse(row.record) as GenesisRecord } : undefined;
}

/** The 256-bit seed of a Genesis record, or undefined when there is no such record. */
export function genesisSeed(db: ReadableDB, id: number): Uint8Array | undefined {
  const row = db.prepare<unknown[], { seed: Buffer }>('SELECT seed FROM genesis WHERE id = ?').get(id);
  return row ? new Uint8Array(row.seed) : undefined;
}

export function getGenesisAudit(db: ReadableDB, id: number): Uint8Array | undefined {
  const row = db.prepare<unknown[], { raw_audit: Buffer }>('SELECT raw_audit FROM genesis WHERE id = ?').get(id);
  return row ? new Uint8Array(row.raw_audit) : undefined;
}

/** The pool's credited bits not yet conditioned into a seed. */
export function pendingPoolBits(db: ReadableDB): number {
  return scalar(db, 'SELECT coalesce(sum(credited_bits), 0) FROM pool_contribution WHERE genesis_id IS NULL');
}

export function sqliteHarvestStore(db: WritableDB): HarvestStore {
  const getAssessment = db.prepare<unknown[], AssessmentRow>('SELECT * FROM device_assessment WHERE device_id = ? AND bits_per_sample = ?');
  const upsertAssessment = db.prepare(
    `INSERT INTO device_assessment (device_id, bits_per_sample, min_entropy, samples, provisional, assessed_at, detail, capture)
     VALUES (@deviceId, @bitsPerSample, @minEntropy, @samples, @provisional, @assessedAt, @detail, @capture)
     ON CONFLICT (device_id, bits_per_sample) DO UPDATE SET min_entropy = excluded.min_entropy, samples = excluded.samples,
       provisional = excluded.provisional, assessed_at = excluded.assessed_at, detail = excluded.detail, capture = excluded.capture`,
  );
  const getCapture = db.prepare<unknown[], { capture: Buffer }>('SELECT capture FROM device_assessment WHERE device_id = ? AND bits_per_sample = ?');
  const insertContribution = db.prepare(
    `INSERT INTO pool_contribution (device_id, source_uri, bits_per_sample, min_entropy, credited_bits, samples, samples_sha256, created_at)
     VALUES (@deviceId, @sourceUri, @bitsPerSample, @minEntropy, @creditedBits, @samples, @samplesSha256, @createdAt)
     ON CONFLICT (samples_sha256) DO NOTHING`,
  );
  const pending = db.prepare<unknown[], ContributionRow>('SELECT * FROM pool_contribution WHERE genesis_id IS NULL ORDER BY id');
  const insertGenesis = db.prepare(
    `INSERT INTO genesis (seed, created_at, source_uri, device_id, credited_bits, record, raw_sha256, raw_audit)
     VALUES (@seed, @createdAt, @sourceUri, @deviceId, @creditedBits, @record, @rawSha256, @rawAudit)`,
  );
  const consume = db.prepare('UPDATE pool_contribution SET genesis_id = ? WHERE id = ? AND genesis_id IS NULL');

  return {
    getAssessment(deviceId, bitsPerSample) {
      const row = getAssessment.get(deviceId, bitsPerSample);
      return row ? toAssessment(row) : undefined;
    },
    saveAssessment(a, capture) {
      upsertAssessment.run({
        deviceId: a.deviceId,
        bitsPerSample: a.bitsPerSample,
        minEntropy: a.minEntropy,
        samples: a.samples,
        provisional: a.provisional ? 1 : 0,
        assessedAt: a.assessedAt,
        detail: JSON.stringify({ limitedBy: a.limitedBy, hOriginal: a.hOriginal, hBitstring: a.hBitstring, assessedMinEntropy: a.assessedMinEntropy }),
        capture: Buffer.from(capture.buffer, capture.byteOffset, capture.byteLength),
      });
    },
    getCalibrationCapture(deviceId, bitsPerSample) {
      const row = getCapture.get(deviceId, bitsPerSample);
      return row ? new Uint8Array(row.capture) : undefined;
    },
    addContribution(c) {
      const samples = Buffer.from(c.samples.buffer, c.samples.byteOffset, c.samples.byteLength);
      const result = insertContribution.run({ ...c, samples, samplesSha256: createHash('sha256').update(samples).digest('hex') });
      if (result.changes === 0) throw new AlreadyCreditedError();
      return Number(result.lastInsertRowid);
    },
    pendingContributions() {
      return pending.all().map(toContribution);
    },
    saveGenesis(record, contributionIds, rawAudit) {
      return db.transaction(() => {
        const id = Number(
          insertGenesis.run({
            seed: Buffer.from(record.seed, 'hex'),
            createdAt: record.endedAt,
            sourceUri: record.source.uri,
            deviceId: record.source.deviceId,
            creditedBits: record.creditedBits,
            record: JSON.stringify(record),
            rawSha256: record.rawCapture.sha256,
            rawAudit: Buffer.from(rawAudit.buffer, rawAudit.byteOffset, rawAudit.byteLength),
          }).lastInsertRowid,
        );
        for (const contribution of contributionIds) {
          if (consume.run(id, contribution).changes !== 1) throw new Error(`Pool contribution ${contribution} was already conditioned into another seed.`);
        }
        return id;
      })();
    },
  };
}
