/** The single IPC channel that carries the API protocol in both directions. */
export const IPC_CHANNEL = 'lightseed:api';

/** What the preload exposes as `window.lightseed`: a message pipe, nothing more. */
export interface PreloadBridge {
  readonly transport: 'ipc';
  send(message: unknown): void;
  /** Returns a function that stops the listener. */
  onMessage(listener: (message: unknown) => void): () => void;
}
