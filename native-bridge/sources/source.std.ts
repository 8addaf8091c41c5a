// What every noise source gives the harvest: raw samples (one per byte, each below
// 2^bitsPerSample), a declared width, and who the device is.

export type SourceKind = 'jitter' | 'rtltcp' | 'serial' | 'audio' | 'wav' | 'file';

export interface SourceInfo {
  /** The URI the source was opened with, normalised. */
  uri: string;
  kind: SourceKind;
  /** Bits per raw sample, 1..8. */
  bitsPerSample: number;
  /**
   * Stable identity of the physical device and the settings that shape its noise
   * (e.g. `rtltcp:R820T@127.0.0.1:1234/100000000Hz/2048000sps/gain=496`). The
   * entropy assessment is stored per identity and reused by later harvests.
   */
  deviceId: string;
  /** For people: "TrueRNG at /dev/ttyACM0", "RTL-SDR (R820T) via rtl_tcp at 127.0.0.1:1234". */
  description: string;
  /** Facts about the device worth keeping in the Genesis record. */
  metadata: Record<string, string | number | boolean>;
  /** Samples per second the device nominally delivers, when known. */
  nominalRate?: number;
  /** Something the user should know about this source (e.g. Geiger per-second counts carry under 1 bit/s). */
  note?: string;
  /**
   * The most min-entropy a sample of this source is ever credited, whatever its
   * assessment says, for noise that changes with conditions a calibration cannot hold
   * fixed. The health-test cutoffs follow the credited value.
   */
  creditCap?: CreditCap;
}

export interface CreditCap {
  bitsPerSample: number;
  /** Why, for the Genesis record: "…, so it is credited at most 2 bits a sample". */
  reason: string;
}

export type SourceFailure =
  /** The URI or its options are wrong. */
  | 'config'
  /** The device or host cannot be reached or opened. */
  | 'unreachable'
  /** The OS refused access (e.g. serial port without the dialout group). */
  | 'permission'
  /** The device went away mid-stream (unplugged, connection reset). */
  | 'disconnected'
  /** The device sent something that does not follow its protocol. */
  | 'protocol'
  /** The device stopped sending within its expected time. */
  | 'stalled';

/** A source failed; the message says what happened and what to do. */
export class SourceError extends Error {
  override readonly name = 'SourceError';

  constructor(
    readonly failure: SourceFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface SampleSource extends AsyncDisposable {
  readonly info: SourceInfo;
  /**
   * Raw samples in chunks, as they arrive. Ends when a finite source (file, WAV) is
   * exhausted or the source is disposed; throws SourceError when the device fails.
   * May be iterated once.
   */
  samples(): AsyncIterable<Uint8Array>;
  /** Stops capture and releases the device. Safe to call twice. */
  dispose(): Promise<void>;
}
