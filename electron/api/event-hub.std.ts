import type { EventName, EventPayload } from './contract.std';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

/**
 * Where services publish contract events and transports pick them up.
 * A listener that throws is reported and does not stop the others.
 */
export class EventHub {
  readonly #listeners = new Map<EventName, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown, event: EventName) => void = () => {}) {}

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as Listener<E>)(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  listenerCount(event: EventName): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}
