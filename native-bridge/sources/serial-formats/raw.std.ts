// format=raw: every byte is a sample. TrueRNG and OneRNG stream unframed random bytes
// over USB CDC (ubld.it TrueRNG manual; OneRNG onerng.sh reads the port with dd).
import type { SerialFormatParser } from './serial-format.std';

export function createRawParser(): SerialFormatParser {
  return {
    // A copy: the port may hand out views of a buffer it reuses, and a queued chunk must not change.
    push: (chunk) => ({ samples: chunk.slice(), malformed: 0, longestMalformedRun: 0 }),
  };
}
