// The byte formats a serial noise device may send (`serial:PATH?format=…`), and the
// parsers that turn its bytes into raw samples. Parsers are incremental and pure: a
// chunk may end anywhere, inside a line or between the two bytes of a GMC count,
// and the next chunk carries on; nothing here touches the port.
import { createGmcParser } from './gmc.std';
import { createHexParser } from './hex.std';
import { createMightyOhmParser } from './mightyohm.std';
import { createPulsesParser } from './pulses.std';
import { createRawParser } from './raw.std';

export const SERIAL_FORMATS = ['raw', 'hex', 'mightyohm', 'gmc', 'pulses'] as const;
export type SerialFormat = (typeof SERIAL_FORMATS)[number];

/** The baud rate each format's devices use out of the box. */
export const DEFAULT_BAUD: Readonly<Record<SerialFormat, number>> = {
  // USB CDC devices (TrueRNG, OneRNG) ignore the rate; 115200 suits a microcontroller.
  raw: 115_200,
  hex: 115_200,
  // MightyOhm Geiger counter firmware: 9600 8N1 (geiger.c, BAUD).
  mightyohm: 9_600,
  // GQ-RFC1201: GMC-280/300/320 default to 57600; the GMC-320+ V5 and GMC-500/600 use 115200.
  gmc: 57_600,
  pulses: 115_200,
};

/** Bits per raw sample: bytes and clamped counts are 8 bits, HotBits comparisons 1. */
export const BITS_PER_SAMPLE: Readonly<Record<SerialFormat, number>> = { raw: 8, hex: 8, mightyohm: 8, gmc: 8, pulses: 1 };

export interface ParsedChunk {
  /** Raw samples decoded from this chunk (and the partial line or frame before it). */
  samples: Uint8Array;
  /** Lines in this chunk that did not follow the format and were skipped. */
  malformed: number;
  /**
   * The longest run of malformed lines in a row this chunk reached, counting the run
   * it continued from earlier chunks. A long run means the device speaks another
   * format or baud rate, not that a line was damaged.
   */
  longestMalformedRun: number;
}

export interface SerialFormatParser {
  push(chunk: Uint8Array): ParsedChunk;
}

export function isSerialFormat(value: string): value is SerialFormat {
  return (SERIAL_FORMATS as readonly string[]).includes(value);
}

export function createSerialParser(format: SerialFormat): SerialFormatParser {
  switch (format) {
    case 'raw':
      return createRawParser();
    case 'hex':
      return createHexParser();
    case 'mightyohm':
      return createMightyOhmParser();
    case 'gmc':
      return createGmcParser();
    case 'pulses':
      return createPulsesParser();
  }
}
