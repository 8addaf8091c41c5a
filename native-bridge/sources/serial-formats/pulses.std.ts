// format=pulses: a microcontroller timestamps each Geiger pulse and prints the time
// in microseconds, one integer a line (e.g. an Arduino interrupt on the tube's pulse
// output printing micros()). Bits come from the HotBits method (John Walker,
// fourmilab.ch/hotbits/how3.html): radioactive decays are a Poisson process, so
// the intervals between successive pulses are independent and identically
// distributed, and of two intervals either is as likely to be the shorter one.
// Intervals are taken in non-overlapping pairs (t1, t2):
//   t1 < t2 → 0,  t1 > t2 → 1,  t1 = t2 → no bit (the clock could not tell them apart).
// HotBits also inverts every other bit to cancel a systematic bias of its
// apparatus. We do not: that is conditioning, and SP 800-90B health tests and
// assessment must see the raw comparisons, bias included. SHA-256 conditions later.
import { createLineParser } from './line-reader.std';
import type { SerialFormatParser } from './serial-format.std';

/** 15 digits stay exact in a double (below 2^53); a longer line is not a timestamp. */
const MAX_LINE = 32;
const TIMESTAMP = /^\d{1,15}$/;
/** Arduino's micros() is an unsigned 32-bit count and wraps after 2^32 µs (about 71.6 minutes). */
const MICROS_WRAP = 2 ** 32;

export function createPulsesParser(): SerialFormatParser {
  let previous: number | undefined;
  /** The first interval of the pair being formed. */
  let first: number | undefined;

  return createLineParser(MAX_LINE, (line, bits) => {
    if (!TIMESTAMP.test(line)) return 'malformed';
    const time = Number(line);
    if (previous === undefined) {
      previous = time;
      return 'sample';
    }
    let interval = time - previous;
    if (interval < 0) {
      if (previous < MICROS_WRAP && previous - time > MICROS_WRAP / 2) {
        interval += MICROS_WRAP;
      } else {
        // Time went back without wrapping: the microcontroller restarted. Its
        // timestamps start a new timeline; no interval spans the two.
        previous = time;
        first = undefined;
        return 'sample';
      }
    }
    previous = time;
    if (first === undefined) {
      first = interval;
      return 'sample';
    }
    if (first < interval) bits.push(0);
    else if (first > interval) bits.push(1);
    first = undefined;
    return 'sample';
  });
}
