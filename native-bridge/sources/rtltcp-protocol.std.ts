// The rtl_tcp wire protocol (osmocom rtl-sdr, src/rtl_tcp.c), as pure functions:
//   server → client, once per connection: a 12-byte `dongle_info_t` header,
//     "RTL0" + u32 big-endian tuner type + u32 big-endian tuner gain count;
//   then unframed interleaved u8 I/Q, centred on 127.5, in chunks of any size;
//   client → server: 5-byte commands, u8 id + u32 big-endian parameter.

/** Bytes in the header rtl_tcp sends as soon as it accepts a client (`dongle_info_t`). */
export const RTL_TCP_HEADER_LENGTH = 12;

/** The header's first four bytes, ASCII "RTL0". */
export const RTL_TCP_MAGIC = 'RTL0';

/** Bytes in every client command (`struct command`, packed): u8 id + u32 BE parameter. */
export const RTL_TCP_COMMAND_LENGTH = 5;

/** Command ids, from the `switch (cmd.cmd)` of rtl_tcp's command_worker. */
export const RtlTcpCommand = {
  /** rtl_tcp command 0x01: centre frequency in Hz. */
  setFrequency: 0x01,
  /** rtl_tcp command 0x02: sample rate in samples per second. */
  setSampleRate: 0x02,
  /** rtl_tcp command 0x03: tuner gain mode, 0 automatic, 1 manual. */
  setGainMode: 0x03,
  /** rtl_tcp command 0x04: tuner gain in tenths of a dB (manual mode only). */
  setGain: 0x04,
  /** rtl_tcp command 0x05: frequency correction in ppm, signed. */
  setFrequencyCorrection: 0x05,
  /** rtl_tcp command 0x06: IF gain, stage in the high 16 bits, tenths of a dB (signed) in the low 16. */
  setIfGain: 0x06,
  /** rtl_tcp command 0x07: RTL2832 test mode (a counter instead of samples). */
  setTestMode: 0x07,
  /** rtl_tcp command 0x08: RTL2832 digital AGC, 0 off, 1 on. */
  setAgcMode: 0x08,
  /** rtl_tcp command 0x09: direct sampling, 0 off, 1 I branch, 2 Q branch. */
  setDirectSampling: 0x09,
  /** rtl_tcp command 0x0a: offset tuning, 0 off, 1 on. */
  setOffsetTuning: 0x0a,
  /** rtl_tcp command 0x0b: RTL2832 crystal frequency in Hz. */
  setRtlXtal: 0x0b,
  /** rtl_tcp command 0x0c: tuner crystal frequency in Hz. */
  setTunerXtal: 0x0c,
  /** rtl_tcp command 0x0d: tuner gain by index into the tuner's gain table. */
  setGainByIndex: 0x0d,
  /** rtl_tcp command 0x0e: bias-T (antenna power), 0 off, 1 on. */
  setBiasTee: 0x0e,
} as const;

export type RtlTcpCommandId = (typeof RtlTcpCommand)[keyof typeof RtlTcpCommand];

/** Tuner names by the type number in the header (librtlsdr's `enum rtlsdr_tuner`). */
const TUNER_NAMES = ['unknown', 'E4000', 'FC0012', 'FC0013', 'FC2580', 'R820T', 'R828D'] as const;

/** The tuner's name for a header tuner type: "R820T" for 5, "unknown" for 0 (rtl_tcp sends 0 when it cannot tell). */
export function tunerName(tunerType: number): string {
  return TUNER_NAMES[tunerType] ?? `tuner type ${tunerType}`;
}

/**
 * Encodes one command as its 5 bytes. The parameter goes out as a u32; a negative
 * value (a ppm correction, an E4000 gain of −1.0 dB) as its two's complement, which
 * rtl_tcp reads back as the signed int the librtlsdr call takes.
 */
export function encodeRtlTcpCommand(id: RtlTcpCommandId, param: number): Uint8Array {
  if (!Number.isInteger(param) || param < -0x8000_0000 || param > 0xffff_ffff) {
    throw new RangeError(`rtl_tcp command 0x${id.toString(16).padStart(2, '0')} takes a 32-bit whole number, not ${param}.`);
  }
  const bytes = new Uint8Array(RTL_TCP_COMMAND_LENGTH);
  bytes[0] = id;
  new DataView(bytes.buffer).setUint32(1, param >>> 0, false);
  return bytes;
}

export interface RtlTcpHeader {
  /** Tuner type number as sent (librtlsdr's `enum rtlsdr_tuner`). */
  tunerType: number;
  /** The tuner's name ("R820T"). */
  tunerName: string;
  /** How many gain steps the tuner offers (the length of its gain table). */
  gainCount: number;
}

/** The server's first bytes are not rtl_tcp's header: something else listens at that address. */
export class RtlTcpMagicError extends Error {
  override readonly name = 'RtlTcpMagicError';

  constructor(readonly received: Uint8Array) {
    super(`expected the rtl_tcp header "${RTL_TCP_MAGIC}", got ${describeBytes(received)}`);
  }
}

/** Decodes a complete 12-byte header; throws RtlTcpMagicError when it does not start with "RTL0". */
export function decodeRtlTcpHeader(bytes: Uint8Array): RtlTcpHeader {
  if (bytes.length < RTL_TCP_HEADER_LENGTH) {
    throw new RangeError(`An rtl_tcp header is ${RTL_TCP_HEADER_LENGTH} bytes; got ${bytes.length}.`);
  }
  const magicMismatch = firstMagicMismatch(bytes, 0);
  if (magicMismatch >= 0) throw new RtlTcpMagicError(bytes.subarray(0, 4));
  const view = new DataView(bytes.buffer, bytes.byteOffset, RTL_TCP_HEADER_LENGTH);
  const tunerType = view.getUint32(4, false);
  return { tunerType, tunerName: tunerName(tunerType), gainCount: view.getUint32(8, false) };
}

/**
 * Collects the header from chunks of any size (TCP may deliver it a byte at a time,
 * or together with the first samples). Checks the magic as its bytes arrive, so a
 * server speaking another protocol is refused without waiting for 12 bytes.
 */
export class RtlTcpHeaderReader {
  readonly #bytes = new Uint8Array(RTL_TCP_HEADER_LENGTH);
  #filled = 0;

  /**
   * Feeds the next chunk. Returns undefined while the header is incomplete; then the
   * header and the sample bytes that followed it in the same chunk. Throws
   * RtlTcpMagicError as soon as a byte of the magic is wrong.
   */
  push(chunk: Uint8Array): { header: RtlTcpHeader; rest: Uint8Array } | undefined {
    if (this.#filled === RTL_TCP_HEADER_LENGTH) throw new Error('The rtl_tcp header was already read.');
    const taken = Math.min(chunk.length, RTL_TCP_HEADER_LENGTH - this.#filled);
    const before = this.#filled;
    this.#bytes.set(chunk.subarray(0, taken), before);
    this.#filled += taken;
    if (firstMagicMismatch(this.#bytes.subarray(0, this.#filled), before) >= 0) {
      throw new RtlTcpMagicError(this.#bytes.slice(0, Math.min(this.#filled, 4)));
    }
    if (this.#filled < RTL_TCP_HEADER_LENGTH) return undefined;
    return { header: decodeRtlTcpHeader(this.#bytes), rest: chunk.subarray(taken) };
  }

  /** Header bytes received so far. */
  get received(): number {
    return this.#filled;
  }
}

/** Index of the first byte from `from` on that differs from "RTL0", or −1. */
function firstMagicMismatch(bytes: Uint8Array, from: number): number {
  for (let i = from; i < Math.min(bytes.length, RTL_TCP_MAGIC.length); i++) {
    if (bytes[i] !== RTL_TCP_MAGIC.charCodeAt(i)) return i;
  }
  return -1;
}

/** `48 54 54 50 ("HTTP")`: hex, and the text when it is printable, so the user can tell what answered. */
function describeBytes(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const printable = Array.from(bytes).every((b) => b >= 0x20 && b < 0x7f);
  return printable ? `${hex} ("${String.fromCharCode(...bytes)}")` : hex;
}
