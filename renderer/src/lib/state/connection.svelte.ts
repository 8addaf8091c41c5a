import type { AppInfo } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';
import type { PipeStatus } from '../api/pipe.dom';

/** The link to the main-process services, as the connection indicator shows it. */
export class ConnectionState {
  #status = $state<PipeStatus>('connecting');
  #info = $state.raw<AppInfo | undefined>(undefined);
  #lastHeartbeat = $state<number | undefined>(undefined);
  #error = $state<string | undefined>(undefined);

  readonly #label = $derived.by(() => {
    switch (this.#status) {
      case 'open':
        return this.#info ? `Connected (${this.#info.mode === 'electron' ? 'desktop' : 'browser mode'})` : 'Connected';
      case 'connecting':
        return 'Connecting…';
      case 'closed':
        return 'Disconnected: retrying…';
      case 'unauthorized':
        return 'Token refused: open the URL that `lightseed serve` printed';
    }
  });

  constructor(private readonly api: ApiClient) {}

  get status(): PipeStatus {
    return this.#status;
  }
  get info(): AppInfo | undefined {
    return this.#info;
  }
  get label(): string {
    return this.#label;
  }
  get lastHeartbeat(): number | undefined {
    return this.#lastHeartbeat;
  }
  /** The last error the app could not attribute to a view. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Follows the pipe; call from an effect and return what it returns. */
  start(): () => void {
    const stops = [
      this.api.onStatus((status) => {
        this.#status = status;
        if (status === 'open') {
          this.api.call('app.info', {}).then(
            (info) => (this.#info = info),
            (error: Error) => (this.#error = error.message),
          );
        }
      }),
      this.api.on('app.heartbeat', (beat) => (this.#lastHeartbeat = beat.serverTime)),
      this.api.onProtocolError((error) => (this.#error = error.message)),
    ];
    return () => stops.forEach((stop) => stop());
  }
}
