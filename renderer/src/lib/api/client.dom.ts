// The typed API client over a Pipe. The renderer uses only this; method names,
// params, results and events are the contract's types.
import type { EventName, EventPayload, MethodName, Params, Result } from '../../../../electron/api/contract.std';
import type { ApiErrorBody, ErrorCode, ServerMessage } from '../../../../electron/api/protocol.std';
import type { Pipe, PipeStatus } from './pipe.dom';

export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  readonly code: ErrorCode | 'disconnected';
  readonly issues: ApiErrorBody['issues'];

  constructor(body: ApiErrorBody | { code: 'disconnected'; message: string; issues?: undefined }) {
    super(body.message);
    this.code = body.code;
    this.issues = body.issues;
  }
}

type Pending = { resolve: (value: unknown) => void; reject: (error: ApiCallError) => void };

export class ApiClient {
  readonly #pipe: Pipe;
  readonly #pending = new Map<number, Pending>();
  readonly #queued: { method: MethodName; params: unknown; id: number }[] = [];
  readonly #listeners = new Map<EventName, Set<(payload: never) => void>>();
  readonly #protocolErrors = new Set<(error: ApiErrorBody) => void>();
  #nextId = 1;
  #ready = false;
  readonly #stops: (() => void)[] = [];

  constructor(pipe: Pipe) {
    this.#pipe = pipe;
    this.#stops.push(
      pipe.onMessage((message) => this.#receive(message)),
      pipe.onStatus((status) => this.#status(status)),
    );
  }

  get transport(): Pipe['kind'] {
    return this.#pipe.kind;
  }

  onStatus(listener: (status: PipeStatus) => void): () => void {
    return this.#pipe.onStatus(listener);
  }

  /** Errors the server sent about a message it could not treat as a call. */
  onProtocolError(listener: (error: ApiErrorBody) => void): () => void {
    this.#protocolErrors.add(listener);
    return () => this.#protocolErrors.delete(listener);
  }

  /** Calls made before the first connection wait for it; a dropped connection fails the calls in flight. */
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const id = this.#nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (!this.#ready || !this.#pipe.send({ t: 'call', id, method, params })) {
        this.#queued.push({ method, params, id });
      }
    });
  }

  /** Subscribes to an event stream; resubscribes after a reconnection. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      this.#listeners.set(event, (set = new Set()));
      if (this.#ready) this.#pipe.send({ t: 'sub', event });
    }
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
      if (set.size === 0) {
        this.#listeners.delete(event);
        if (this.#ready) this.#pipe.send({ t: 'unsub', event });
      }
    };
  }

  close(): void {
    for (const stop of this.#stops) stop();
    this.#pipe.close();
    this.#failPending('The app closed the connection.');
  }

  #status(status: PipeStatus): void {
    if (status !== 'open' && this.#ready) {
      this.#ready = false;
      this.#failPending('Lost the connection to LightSeed before the answer came.');
    }
  }

  #receive(message: ServerMessage): void {
    switch (message.t) {
      case 'hello':
        this.#ready = true;
        for (const event of this.#listeners.keys()) this.#pipe.send({ t: 'sub', event });
        for (const call of this.#queued.splice(0)) {
          if (!this.#pipe.send({ t: 'call', id: call.id, method: call.method, params: call.params })) this.#queued.push(call);
        }
        return;
      case 'result': {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.ok) pending.resolve(message.result);
        else pending.reject(new ApiCallError(message.error));
        return;
      }
      case 'event':
        for (const listener of this.#listeners.get(message.event as EventName) ?? []) {
          (listener as (payload: unknown) => void)(message.payload);
        }
        return;
      case 'error':
        for (const listener of this.#protocolErrors) listener(message.error);
        return;
    }
  }

  #failPending(message: string): void {
    const queuedIds = new Set(this.#queued.map((call) => call.id));
    for (const [id, pending] of this.#pending) {
      if (queuedIds.has(id)) continue;
      pending.reject(new ApiCallError({ code: 'disconnected', message }));
      this.#pending.delete(id);
    }
  }
}
