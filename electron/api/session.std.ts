// One client's conversation with the API: a WebSocket connection in browser mode,
// one renderer's IPC channel in Electron. Parses every message, answers calls,
// forwards subscribed events, and never lets a bad message take the process down.
import { API_VERSION, isEventName, type EventName } from './contract.std';
import type { EventHub } from './event-hub.std';
import { ClientMessage, MAX_MESSAGE_BYTES, MAX_PENDING_CALLS, type ApiErrorBody, type ServerMessage } from './protocol.std';
import { describeIssues, type Router } from './router.std';

export interface ApiSessionOptions {
  router: Router;
  hub: EventHub;
  /** Delivers a message to the client; must not throw. */
  send: (message: ServerMessage) => void;
  /** Calls allowed in flight at once. Default MAX_PENDING_CALLS. */
  maxPendingCalls?: number;
}

export class ApiSession {
  readonly #options: Required<ApiSessionOptions>;
  readonly #subscriptions = new Map<EventName, () => void>();
  #pending = 0;
  #disposed = false;

  constructor(options: ApiSessionOptions) {
    this.#options = { maxPendingCalls: MAX_PENDING_CALLS, ...options };
    this.#send({ t: 'hello', apiVersion: API_VERSION });
  }

  /** A message that arrived as text (WebSocket). */
  receiveText(text: string): void {
    if (text.length > MAX_MESSAGE_BYTES) {
      return this.#fail({ code: 'bad_message', message: `Message of ${text.length} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit.` });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.#fail({ code: 'bad_message', message: 'Message is not valid JSON.' });
    }
    this.receive(value);
  }

  /** A binary frame: not part of the protocol. */
  receiveBinary(): void {
    this.#fail({ code: 'bad_message', message: 'Binary messages are not part of the protocol; send JSON text.' });
  }

  /** A message that arrived already decoded (structured clone over IPC). */
  receive(value: unknown): void {
    if (this.#disposed) return;
    const parsed = ClientMessage.safeParse(value);
    if (!parsed.success) {
      const where = describeIssues(parsed.error).map((i) => `${i.path}: ${i.message}`).join('; ');
      return this.#fail({ code: 'bad_message', message: `Not a protocol message (${where}).` });
    }
    const message = parsed.data;
    switch (message.t) {
      case 'call':
        return this.#call(message.id, message.method, message.params);
      case 'sub':
        return this.#subscribe(message.event);
      case 'unsub':
        if (isEventName(message.event)) {
          this.#subscriptions.get(message.event)?.();
          this.#subscriptions.delete(message.event);
        }
        return;
    }
  }

  dispose(): void {
    this.#disposed = true;
    for (const unsubscribe of this.#subscriptions.values()) unsubscribe();
    this.#subscriptions.clear();
  }

  #call(id: number, method: string, params: unknown): void {
    if (this.#pending >= this.#options.maxPendingCalls) {
      this.#send({ t: 'result', id, ok: false, error: { code: 'busy', message: `More than ${this.#options.maxPendingCalls} calls in flight; wait for some to finish.` } });
      return;
    }
    this.#pending++;
    void this.#options.router.call(method, params).then((outcome) => {
      this.#pending--;
      this.#send(outcome.ok ? { t: 'result', id, ok: true, result: outcome.result } : { t: 'result', id, ok: false, error: outcome.error });
    });
  }

  #subscribe(event: string): void {
    if (!isEventName(event)) {
      return this.#fail({ code: 'unknown_event', message: `There is no API event called ${JSON.stringify(event)}.` });
    }
    if (this.#subscriptions.has(event)) return;
    this.#subscriptions.set(
      event,
      this.#options.hub.on(event, (payload) => this.#send({ t: 'event', event, payload })),
    );
  }

  #fail(error: ApiErrorBody): void {
    this.#send({ t: 'error', error });
  }

  #send(message: ServerMessage): void {
    if (!this.#disposed) this.#options.send(message);
  }
}
