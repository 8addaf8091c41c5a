// Splits a serial byte stream into text lines for the line formats (hex, mightyohm,
// pulses) and keeps the count of lines that do not parse. Devices end lines with
// "\n" (MightyOhm geiger.c), "\r\n" (Arduino Serial.println) or "\n\r": any CR or LF
// ends a line and the empty lines between them are dropped.
import type { ParsedChunk, SerialFormatParser } from './serial-format.std';

/** What a format makes of one line. */
export type LineVerdict =
  /** A good line; its samples were appended. */
  | 'sample'
  /** A line the device sends that carries no sample (a start-up banner). */
  | 'ignored'
  /** Not this format: damaged, cut short, another format or a wrong baud rate. */
  | 'malformed';

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;

/**
 * A line parser: `parseLine` sees each complete line of printable ASCII, trimmed.
 * A line with other bytes (what a wrong baud rate produces) is malformed without
 * being parsed, and so is every `maxLength` bytes without a line break, so a device
 * that sends no line breaks at all still shows up as malformed lines.
 */
export function createLineParser(maxLength: number, parseLine: (line: string, samples: number[]) => LineVerdict): SerialFormatParser {
  let line = '';
  let length = 0;
  let printable = true;
  /** The current line passed maxLength and was counted; skip to its end. */
  let overlong = false;
  let run = 0;

  return {
    push(chunk: Uint8Array): ParsedChunk {
      const samples: number[] = [];
      let malformed = 0;
      let longestMalformedRun = run;
      const verdict = (result: LineVerdict) => {
        if (result === 'sample') run = 0;
        if (result !== 'malformed') return;
        malformed++;
        run++;
        longestMalformedRun = Math.max(longestMalformedRun, run);
      };
      for (const byte of chunk) {
        if (byte === LF || byte === CR) {
          if (!overlong && length > 0) verdict(printable ? parseLine(line.trim(), samples) : 'malformed');
          line = '';
          length = 0;
          printable = true;
          overlong = false;
          continue;
        }
        length++;
        if (length >= maxLength) {
          // Counted once per maxLength bytes: a stream without line breaks is a stream of bad lines.
          verdict('malformed');
          line = '';
          length = 0;
          printable = true;
          overlong = true;
          continue;
        }
        if (overlong) continue;
        if ((byte < 0x20 && byte !== TAB) || byte > 0x7e) printable = false;
        else if (printable) line += String.fromCharCode(byte);
      }
      return { samples: Uint8Array.from(samples), malformed, longestMalformedRun };
    },
  };
}
