// format=hex: each line carries bytes as hexadecimal digits, two a byte ("3fa0c1…"),
// as a microcontroller prints a buffer of ADC noise or a hardware RNG register.
// Spaces between bytes are allowed; each decoded byte is one 8-bit sample.
import { createLineParser } from './line-reader.std';
import type { SerialFormatParser } from './serial-format.std';

/** Longer than any line a device prints in one go (2 KiB of data a line). */
const MAX_LINE = 4096;

export function createHexParser(): SerialFormatParser {
  return createLineParser(MAX_LINE, (line, samples) => {
    const digits = line.replace(/[ \t]/g, '');
    // An odd digit count is a line cut short, not a nibble to guess at.
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(digits)) return 'malformed';
    for (let i = 0; i < digits.length; i += 2) samples.push(parseInt(digits.slice(i, i + 2), 16));
    return 'sample';
  });
}
