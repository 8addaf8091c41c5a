// Getting a catalog model in one step: download (pausable, resumable, cancellable), verify,
// convert where the format needs it, try it with llama.cpp, register it and make it the
// default. The network is used only here, and only when the user asks for a model.
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { EventHub } from '../api/event-hub.std';
import { ApiError } from '../api/api-error.std';
import type { CatalogItem, DownloadStatus, RegisteredModel } from '../api/contract.std';
import { formatBytes } from '../api/units.std';
import { memoryNeeded, type CatalogEntry } from '../catalog/catalog.std';
import { arrivedMismatch } from '../catalog/arrived-file.node';
import { loadCatalog } from '../catalog/catalog-file.node';
import { DownloadError, downloadModel, downloadPath, legacyDownloadPath, partialBytes, removePartialDownload, type DownloadProgress } from '../catalog/model-download.node';
import { resolveModelSource, type ModelSource } from '../catalog/model-source.node';
import type { InferenceService } from './inference-service.node';

export interface ModelDownloadsOptions {
  /** The folder downloads go to (the data folder's models/downloads). */
  dir: string;
  /** The catalog; default: the known models and LIGHTSEED_MODEL_CATALOG's entries. */
  catalog?: CatalogEntry[];
  /** LIGHTSEED_MODEL_MIRROR: a Hugging Face-style endpoint or a folder. Default: the environment's. */
  mirror?: string | undefined;
  /** Milliseconds without data before a download pauses as stalled. Default 60 000. */
  stallMs?: number;
  /** How long failing answers are retried without progress. Default 60 000. */
  retryForMs?: number;
}

export interface GetOptions {
  /** A file or URL to take the model from instead of the catalog's source. */
  from?: string | undefined;
  /** Leave the default model as it is. */
  keepDefault?: boolean;
  onStatus?: (status: DownloadStatus) => void;
}

interface Active {
  controller: AbortController;
  status: DownloadStatus;
  done: Promise<DownloadStatus>;
  cancelled: boolean;
}

/** Progress events at most this often; every change of state is sent at once. */
const PROGRESS_EVERY_MS = 250;

export class ModelDownloads implements AsyncDisposable {
  readonly #active = new Map<string, Active>();
  /** How the last download of each entry ended, this run (a paused or failed one shows in the catalog). */
  readonly #ended = new Map<string, DownloadStatus>();
  readonly #options: ModelDownloadsOptions;

  constructor(
    private readonly hub: EventHub,
    private readonly inference: InferenceService,
    options: ModelDownloadsOptions,
  ) {
    this.#options = options;
  }

  get entries(): CatalogEntry[] {
    return this.#options.catalog ?? loadCatalog();
  }

  get #mirror(): string | undefined {
    return 'mirror' in this.#options ? this.#options.mirror : process.env.LIGHTSEED_MODEL_MIRROR;
  }

  /** Where models come from now, in words (for the view and the CLI). */
  get source(): string {
    const mirror = this.#mirror?.trim();
    return mirror ? `${/^https?:/i.test(mirror) ? 'the mirror' : 'the mirror folder'} ${mirror} (LIGHTSEED_MODEL_MIRROR)` : 'huggingface.co';
  }

  entry(name: string): CatalogEntry {
    const entry = this.entries.find((e) => e.name === name);
    if (!entry) throw new ApiError('not_found', `There is no model "${name}" in the catalog: \`lightseed models catalog\` lists them.`);
    return entry;
  }

  /** The registered model got from this entry earlier, if its file is still there. */
  #installed(entry: CatalogEntry): RegisteredModel | undefined {
    const paths = [downloadPath(this.#options.dir, entry), legacyDownloadPath(this.#options.dir, entry)];
    return this.inference.list().find((m) => (paths.includes(m.path) || (m.convertedFrom !== null && paths.includes(m.convertedFrom))) && existsSync(m.path));
  }

  async catalog(): Promise<CatalogItem[]> {
    return Promise.all(
      this.entries.map(async (entry) => ({
        ...entry,
        memoryBytes: memoryNeeded(entry),
        modelId: this.#installed(entry)?.id ?? null,
        partialBytes: await partialBytes(this.#options.dir, entry),
        download: this.#active.get(entry.name)?.status ?? this.#ended.get(entry.name) ?? null,
      })),
    );
  }

  /** Starts (or resumes) getting a model; resolves with its first status, the rest arrive as events. */
  start(name: string, options: GetOptions = {}): DownloadStatus {
    const entry = this.entry(name);
    const running = this.#active.get(name);
    if (running) return running.status;
    let source: ModelSource;
    try {
      source = resolveModelSource(entry, { from: options.from, mirror: this.#mirror });
    } catch (error) {
      throw new ApiError('failed_precondition', (error as Error).message, undefined, { cause: error });
    }
    const active: Active = {
      controller: new AbortController(),
      status: { name, state: 'downloading', downloaded: 0, total: entry.sizeBytes, bytesPerSecond: 0, secondsLeft: null, message: `From ${source.description}`, modelId: null },
      done: Promise.resolve(undefined as never),
      cancelled: false,
    };
    this.#active.set(name, active);
    this.#ended.delete(name);
    let lastSent = 0;
    // Progress goes out at most every PROGRESS_EVERY_MS; one held back goes out when the interval
    // ends, so a download whose data stopped still shows every byte that arrived.
    let held: NodeJS.Timeout | undefined;
    const send = () => {
      clearTimeout(held);
      held = undefined;
      lastSent = performance.now();
      this.hub.emit('models.download', active.status);
      options.onStatus?.(active.status);
    };
    const update = (change: Partial<DownloadStatus>, force: boolean) => {
      active.status = { ...active.status, ...change };
      const wait = PROGRESS_EVERY_MS - (performance.now() - lastSent);
      if (force || wait <= 0) return send();
      if (!held) {
        held = setTimeout(send, wait);
        held.unref();
      }
    };
    active.done = this.#run(entry, source, active, options, update).finally(() => {
      clearTimeout(held);
      this.#active.delete(name);
      this.#ended.set(name, active.status);
    });
    update({}, true);
    return active.status;
  }

  /** Gets a model and waits for the end: the registered model, or the reason in an Error. */
  async get(name: string, options: GetOptions = {}): Promise<{ status: DownloadStatus; model: RegisteredModel | undefined }> {
    this.start(name, options);
    const status = await this.#active.get(name)!.done;
    return { status, model: status.modelId === null ? undefined : this.inference.list().find((m) => m.id === status.modelId) };
  }

  async #run(entry: CatalogEntry, source: ModelSource, active: Active, options: GetOptions, update: (change: Partial<DownloadStatus>, force: boolean) => void): Promise<DownloadStatus> {
    const finish = (change: Partial<DownloadStatus>) => {
      update({ bytesPerSecond: 0, secondsLeft: null, ...change }, true);
      return active.status;
    };
    const before = this.#installed(entry);
    if (before) {
      const model = options.keepDefault || before.isDefault ? before : this.inference.setDefault(before.id);
      return finish({ state: 'done', downloaded: before.size, total: before.size, modelId: model.id, message: `${entry.title} was already here: ${model.isDefault ? 'it is the default model' : 'nothing was downloaded'}.` });
    }
    let downloaded: { path: string; sha256: string };
    try {
      downloaded = await downloadModel({
        entry,
        dir: this.#options.dir,
        source,
        signal: active.controller.signal,
        ...(this.#options.stallMs !== undefined ? { stallMs: this.#options.stallMs } : {}),
        ...(this.#options.retryForMs !== undefined ? { retryForMs: this.#options.retryForMs } : {}),
        onProgress: (p: DownloadProgress) => update({ downloaded: p.downloaded, total: p.total, bytesPerSecond: p.bytesPerSecond, secondsLeft: p.secondsLeft }, false),
      });
    } catch (error) {
      if (active.cancelled) {
        const kept = await partialBytes(this.#options.dir, entry);
        await removePartialDownload(this.#options.dir, entry);
        return finish({ state: 'cancelled', downloaded: 0, message: `Cancelled ${entry.title}${kept ? `: the ${formatBytes(kept)} received were removed` : ''}.` });
      }
      const message = (error as Error).message;
      const paused = error instanceof DownloadError && error.kind === 'paused';
      return finish({ state: paused ? 'paused' : 'failed', downloaded: await partialBytes(this.#options.dir, entry), message });
    }

    let mismatch: string | undefined;
    try {
      mismatch = await arrivedMismatch(downloaded.path, entry);
    } catch (error) {
      mismatch = `it is not a GGUF model LightSeed can read (${(error as Error).message})`;
    }
    if (mismatch) {
      await rm(downloaded.path, { force: true });
      return finish({ state: 'failed', message: `What arrived from ${source.description} is not ${entry.title}: ${mismatch}. The file was removed and nothing was registered.` });
    }
    update({ state: 'adding', downloaded: active.status.total, message: `Checking ${entry.title}${entry.format === 'I2_S' ? ', converting it from I2_S to TQ2_0' : ''} and trying it with llama.cpp…` }, true);
    let model: RegisteredModel;
    try {
      model = await this.inference.add(downloaded.path, { sha256: downloaded.sha256 });
    } catch (error) {
      await rm(downloaded.path, { force: true });
      return finish({ state: 'failed', message: `${(error as Error).message} The downloaded file was removed.` });
    }
    let note = '';
    if (model.convertedFrom === downloaded.path) {
      // The converted copy holds the same weights losslessly: the I2_S original would only take the space twice.
      await rm(downloaded.path, { force: true });
      note = ` Converted to ${model.weightType ?? 'TQ2_0'}; the downloaded ${entry.format} file was removed, the copy holds the same weights.`;
    }
    if (!options.keepDefault && !model.isDefault) model = this.inference.setDefault(model.id);
    const verified = entry.sha256 ? 'its SHA-256 matches the published one' : `no SHA-256 was published for it; it had ${downloaded.sha256}`;
    return finish({ state: 'done', modelId: model.id, message: `${entry.title} is ready${model.isDefault ? ' and is the default model' : ''}: ${verified}.${note}` });
  }

  /** Pauses a running download (its partial file stays); a paused one is returned as it is. */
  async pause(name: string): Promise<DownloadStatus> {
    const entry = this.entry(name);
    const active = this.#active.get(name);
    if (!active) return this.#ended.get(name) ?? { name, state: 'paused', downloaded: await partialBytes(this.#options.dir, entry), total: entry.sizeBytes, bytesPerSecond: 0, secondsLeft: null, message: null, modelId: null };
    if (active.status.state === 'downloading') active.controller.abort(new Error('paused by the user'));
    return active.done;
  }

  /** Stops and removes a download, running or paused. Never touches a model that arrived: cancel acts on downloads only. */
  async cancel(name: string): Promise<DownloadStatus> {
    const entry = this.entry(name);
    const active = this.#active.get(name);
    if (active) {
      if (active.status.state !== 'downloading') throw new ApiError('failed_precondition', `${entry.title} has arrived and is being ${active.status.state === 'adding' ? 'checked' : 'finished'}: it can no longer be cancelled.`);
      active.cancelled = true;
      active.controller.abort(new Error('cancelled by the user'));
      return active.done;
    }
    const kept = await partialBytes(this.#options.dir, entry);
    if (kept === 0) {
      const installed = this.#installed(entry);
      if (installed) throw new ApiError('failed_precondition', `${entry.title} is not being downloaded: it arrived and is model #${installed.id}, which cancel leaves as it is.`);
    }
    await removePartialDownload(this.#options.dir, entry);
    const status: DownloadStatus = { name, state: 'cancelled', downloaded: 0, total: entry.sizeBytes, bytesPerSecond: 0, secondsLeft: null, message: kept ? `Removed the ${formatBytes(kept)} of ${entry.title} that had arrived.` : `Nothing of ${entry.title} was being downloaded.`, modelId: null };
    this.#ended.set(name, status);
    this.hub.emit('models.download', status);
    return status;
  }

  /** Pauses every running download: what arrived stays for the next run to resume. */
  async dispose(): Promise<void> {
    await Promise.all([...this.#active.keys()].map((name) => this.pause(name)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
