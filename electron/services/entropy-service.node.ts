// The entropy bridge as a main-process service: one harvest at a time, its state
// as a HarvestStatus, its progress as API events, Genesis records from SQLite.
import type { EventHub } from '../api/event-hub.std';
import { ApiError } from '../api/api-error.std';
import type { GenesisSummary, HarvestStatus, SourceDescription } from '../api/contract.std';
import type { Database } from '../store/database.node';
import { getGenesis, listGenesis, pendingPoolBits, sqliteHarvestStore } from '../store/entropy.node';
import { GENESIS_MIN_CREDITED_BITS } from '../../native-bridge/conditioning/genesis-conditioner.node';
import type { Assessor } from '../../native-bridge/harvest/crediting.std';
import { runHarvest, type HarvestEvent } from '../../native-bridge/harvest/harvest.node';
import type { GenesisRecord } from '../../native-bridge/harvest/harvest-store.std';
import { listSources } from '../../native-bridge/sources/list-sources.node';
import { openSource } from '../../native-bridge/sources/open-source.node';

export interface HarvestRequest {
  uri: string;
  calibrationSamples?: number;
}

const IDLE: HarvestStatus = {
  phase: 'idle',
  uri: null,
  source: null,
  calibration: null,
  assessing: null,
  assessment: null,
  health: null,
  creditedBits: 0,
  targetBits: GENESIS_MIN_CREDITED_BITS,
  bitsPerSecond: 0,
  etaSeconds: null,
  message: null,
  genesisId: null,
};

export class EntropyService {
  #status: HarvestStatus;
  #running: { controller: AbortController; done: Promise<unknown> } | undefined;

  constructor(
    private readonly database: Database,
    private readonly hub: EventHub,
    private readonly assess: Assessor,
  ) {
    this.#status = { ...IDLE, creditedBits: pendingPoolBits(database.connection) };
  }

  get status(): HarvestStatus {
    return this.#status;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  async sources(rtltcpEndpoints: readonly string[]): Promise<SourceDescription[]> {
    return listSources({ rtltcpEndpoints });
  }

  /** Starts a harvest in the background; its end arrives as a harvest.progress event with phase done or failed. */
  start(request: HarvestRequest): HarvestStatus {
    if (this.#running) throw new ApiError('failed_precondition', `A harvest from ${this.#status.uri} is already running; stop it first.`);
    this.harvest(request).catch((error: unknown) => {
      // Already in the status (phase failed, message) and sent as harvest.progress; nobody else waits on it.
      void error;
    });
    return this.#status;
  }

  /** Runs a harvest to its end: resolves with the Genesis record, rejects with the reason it stopped. */
  async harvest(request: HarvestRequest): Promise<{ id: number; record: GenesisRecord }> {
    if (this.#running) throw new ApiError('failed_precondition', `A harvest from ${this.#status.uri} is already running; stop it first.`);
    const controller = new AbortController();
    let finish!: () => void;
    this.#running = { controller, done: new Promise<void>((resolve) => (finish = resolve)) };
    this.#update({ ...IDLE, phase: 'opening', uri: request.uri, creditedBits: pendingPoolBits(this.database.connection) });
    try {
      const source = await openSource(request.uri);
      try {
        this.#update({ source: { kind: source.info.kind, description: source.info.description, ...(source.info.note ? { note: source.info.note } : {}) } });
        const result = await runHarvest({
          source,
          store: sqliteHarvestStore(this.database.connection),
          assess: this.assess,
          ...(request.calibrationSamples ? { calibrationSamples: request.calibrationSamples } : {}),
          signal: controller.signal,
          onEvent: (event) => this.#onEvent(event),
        });
        this.#update({ phase: 'done', genesisId: result.id, message: `Genesis seed ${result.record.seed.slice(0, 16)}… from ${result.record.creditedBits.toFixed(0)} credited bits.` });
        return result;
      } finally {
        await source.dispose();
      }
    } catch (error) {
      this.#update({ phase: 'failed', message: (error as Error).message, creditedBits: pendingPoolBits(this.database.connection) });
      throw error;
    } finally {
      this.#running = undefined;
      finish();
    }
  }

  /** Stops the running harvest and waits for it to wind down. */
  async stop(): Promise<HarvestStatus> {
    const running = this.#running;
    if (running) {
      running.controller.abort(new Error('Stopped by the user.'));
      await running.done;
    }
    return this.#status;
  }

  listGenesis(limit?: number): { genesis: GenesisSummary[]; poolBits: number } {
    return { genesis: listGenesis(this.database.connection, limit), poolBits: pendingPoolBits(this.database.connection) };
  }

  getGenesis(id: number): { summary: GenesisSummary; record: Record<string, unknown> } {
    const found = getGenesis(this.database.connection, id);
    if (!found) throw new ApiError('failed_precondition', `There is no Genesis record ${id}.`);
    const { record, ...summary } = found;
    return { summary, record: record as unknown as Record<string, unknown> };
  }

  #onEvent(event: HarvestEvent): void {
    switch (event.type) {
      case 'started':
        return this.#update({ assessment: event.assessment ?? null, phase: event.assessment ? 'harvesting' : 'calibrating' });
      case 'calibrating':
        return this.#update({ phase: 'calibrating', calibration: { samples: event.samples, target: event.target, rate: event.rate } });
      case 'assessing':
        return this.#update({ phase: 'assessing', assessing: { done: event.done, total: event.total } });
      case 'assessed':
        return this.#update({ phase: this.#status.phase === 'assessing' && this.#status.genesisId === null ? 'harvesting' : this.#status.phase, assessment: event.assessment });
      case 'samples':
        this.hub.emit('harvest.samples', { bitsPerSample: event.bitsPerSample, samples: Array.from(event.samples.subarray(0, 4096)) });
        return;
      case 'health': {
        const { failure, ...rest } = event.status;
        return this.#update({ phase: 'harvesting', health: failure ? { ...rest, failure: failure.message } : rest });
      }
      case 'credited':
        return this.#update({ creditedBits: event.creditedBits, bitsPerSecond: event.bitsPerSecond, etaSeconds: event.etaSeconds });
      case 'alarm':
        this.hub.emit('harvest.alarm', {
          test: event.failure.test,
          message: event.failure.message,
          sampleIndex: event.failure.sampleIndex,
          windowIndex: event.failure.windowIndex,
          observed: event.failure.observed,
          cutoff: event.failure.cutoff,
        });
        return;
      case 'genesis':
        return this.#update({ genesisId: event.id, creditedBits: 0 });
    }
  }

  #update(change: Partial<HarvestStatus>): void {
    this.#status = { ...this.#status, ...change };
    // The harvest already throttles its events to one per 100 ms; forward each.
    this.hub.emit('harvest.progress', this.#status);
  }
}
