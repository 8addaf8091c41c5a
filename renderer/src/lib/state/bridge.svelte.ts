import type { EventPayload, GenesisSummary, HarvestStatus, SourceDescription } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';

type Alarm = EventPayload<'harvest.alarm'>;

/** How many recent samples the scope and the bit map keep. */
const KEEP_SAMPLES = 8192;

/** The Bridge: sources, a harvest's live status and samples, alarms, and the Genesis record it ends in. */
export class BridgeState {
  #sources = $state.raw<SourceDescription[]>([]);
  #status = $state.raw<HarvestStatus | undefined>(undefined);
  #samples = $state.raw<number[]>([]);
  #bitsPerSample = $state(8);
  #alarms = $state.raw<Alarm[]>([]);
  #genesis = $state.raw<GenesisSummary | undefined>(undefined);
  #error = $state<string | undefined>(undefined);

  constructor(private readonly api: ApiClient) {}

  get sources(): SourceDescription[] {
    return this.#sources;
  }
  get status(): HarvestStatus | undefined {
    return this.#status;
  }
  get samples(): number[] {
    return this.#samples;
  }
  get bitsPerSample(): number {
    return this.#bitsPerSample;
  }
  get alarms(): Alarm[] {
    return this.#alarms;
  }
  get genesis(): GenesisSummary | undefined {
    return this.#genesis;
  }
  get error(): string | undefined {
    return this.#error;
  }
  get running(): boolean {
    const phase = this.#status?.phase;
    return phase === 'opening' || phase === 'calibrating' || phase === 'assessing' || phase === 'harvesting';
  }

  start(): () => void {
    const stops = [
      this.api.on('harvest.progress', (status) => this.#take(status)),
      this.api.on('harvest.samples', (event) => {
        this.#bitsPerSample = event.bitsPerSample;
        const next = this.#samples.concat(event.samples);
        this.#samples = next.length > KEEP_SAMPLES ? next.slice(next.length - KEEP_SAMPLES) : next;
      }),
      this.api.on('harvest.alarm', (alarm) => (this.#alarms = [...this.#alarms, alarm])),
    ];
    void this.#guard(async () => {
      this.#sources = (await this.api.call('sources.list', {})).sources;
      this.#take(await this.api.call('harvest.status', {}));
    });
    return () => stops.forEach((stop) => stop());
  }

  #take(status: HarvestStatus): void {
    this.#status = status;
    if (status.genesisId !== null && this.#genesis?.id !== status.genesisId) {
      const id = status.genesisId;
      void this.#guard(async () => (this.#genesis = (await this.api.call('genesis.get', { id })).summary));
    }
  }

  async #guard(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.#error = undefined;
    } catch (error) {
      this.#error = (error as Error).message;
    }
  }

  harvest(uri: string): Promise<void> {
    return this.#guard(async () => {
      this.#samples = [];
      this.#alarms = [];
      this.#genesis = undefined;
      this.#status = await this.api.call('harvest.start', { uri: uri.trim() });
    });
  }

  stop(): Promise<void> {
    return this.#guard(async () => (this.#status = await this.api.call('harvest.stop', {})));
  }
}
