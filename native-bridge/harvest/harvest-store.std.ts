// What the harvest keeps between runs, behind an interface so the bridge stays
// free of the database: per-device assessments, the entropy pool of credited
// contributions, and the Genesis records.
import type { EstimatorName } from '../estimators/assess.std';
import type { CreditCap, SourceInfo } from '../sources/source.std';

/** The pool already holds these exact samples: a replayed recording carries no new entropy. */
export class AlreadyCreditedError extends Error {
  override readonly name = 'AlreadyCreditedError';

  constructor() {
    super('These samples were already credited once; replaying a recording gives no new entropy.');
  }
}

export interface StoredAssessment {
  deviceId: string;
  bitsPerSample: number;
  /** Min-entropy per sample credited, bits: the estimate, halved while provisional. */
  minEntropy: number;
  /** What the SP 800-90B estimators gave. */
  assessedMinEntropy: number;
  /** Samples the estimate was computed on. */
  samples: number;
  /** Fewer than 1,000,000 samples: refined as more arrive. */
  provisional: boolean;
  assessedAt: number;
  limitedBy: EstimatorName | 'single-symbol';
  hOriginal: number;
  hBitstring: number | null;
  /** Set when the source's cap, not the estimate, decided `minEntropy`. */
  cappedBy?: CreditCap;
}

/** The assessment as this source is credited: its estimate, never above the source's cap. */
export function creditedAssessment(assessment: StoredAssessment, source: SourceInfo): StoredAssessment {
  const cap = source.creditCap;
  if (!cap || assessment.minEntropy <= cap.bitsPerSample) return assessment;
  return { ...assessment, minEntropy: cap.bitsPerSample, cappedBy: cap };
}

/** Health-tested samples credited to the pool. */
export interface Contribution {
  id: number;
  deviceId: string;
  sourceUri: string;
  bitsPerSample: number;
  minEntropy: number;
  creditedBits: number;
  samples: Uint8Array;
  createdAt: number;
}

export interface GenesisSummary {
  id: number;
  seedHex: string;
  createdAt: number;
  creditedBits: number;
  source: string;
}

export interface HarvestStore {
  getAssessment(deviceId: string, bitsPerSample: number): StoredAssessment | undefined;
  /** Stores the assessment and the raw samples it was computed on (kept to refine a provisional one). */
  saveAssessment(assessment: StoredAssessment, capture: Uint8Array): void;
  getCalibrationCapture(deviceId: string, bitsPerSample: number): Uint8Array | undefined;
  /** Adds credited samples to the pool; throws AlreadyCreditedError when these exact samples were credited before. */
  addContribution(contribution: Omit<Contribution, 'id'>): number;
  /** Credited contributions not yet conditioned into a seed, oldest first. */
  pendingContributions(): Contribution[];
  /** Stores the record and marks the contributions consumed, in one transaction. */
  saveGenesis(record: GenesisRecord, contributionIds: number[], rawAudit: Uint8Array): number;
}

export interface GenesisRecord {
  /** 256-bit Genesis seed, hex. */
  seed: string;
  startedAt: number;
  endedAt: number;
  source: { uri: string; kind: string; deviceId: string; description: string; metadata: Record<string, string | number | boolean>; note?: string };
  assessment: StoredAssessment & { reused: boolean };
  /** Every contribution conditioned into the seed, oldest first (earlier interrupted harvests included). */
  contributions: { id: number; deviceId: string; sourceUri: string; samples: number; bitsPerSample: number; minEntropy: number; creditedBits: number; createdAt: number }[];
  samples: {
    /** Raw samples read from the source in this harvest, calibration included. */
    read: number;
    /** Samples used for the assessment. */
    calibration: number;
    /** Samples that passed the health tests and were conditioned. */
    conditioned: number;
    /** Samples of windows that were still incomplete when the seed was ready, or that failed. */
    discarded: number;
  };
  creditedBits: number;
  conditioning: { function: 'SHA-256'; inputBits: number; outputBits: 256; outputEntropy: number };
  health: { rctCutoff: number; aptCutoff: number; aptWindow: number; windowsPassed: number; longestRun: number; highestWindowCount: number };
  /** SHA-256 over every raw sample read in this harvest; the first MiB is kept with the record. */
  rawCapture: { sha256: string; bytes: number; auditBytes: number };
}
