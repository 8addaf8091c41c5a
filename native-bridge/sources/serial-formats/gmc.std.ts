// format=gmc: GQ Electronics GMC-280/300/320 Geiger counters, per GQ-RFC1201
// ("GQ-RFC1201 GQ Geiger Counter Communication Protocol"):
//   <GETVER>>      → 14 ASCII bytes: 7 of hardware model and 7 of firmware
//                    version, e.g. "GMC-320Re 4.09"
//   <HEARTBEAT1>>  → from then on, 2 bytes every second: the counts of that
//                    second, MSB first; "only the lowest 14 bits are used for the
//                    valid data bit, the highest bit 15 and bit 14 are reserved"
//   <HEARTBEAT0>>  → stops the heartbeat
// The sample is the low byte of the count: at background rates (under 1 count a
// second on an M4011 tube) the count never reaches 256, so nothing is lost there.
import type { SerialFormatParser } from './serial-format.std';

export const GMC_COMMANDS = {
  getVersion: '<GETVER>>',
  heartbeatOn: '<HEARTBEAT1>>',
  heartbeatOff: '<HEARTBEAT0>>',
} as const;

/** The length GQ-RFC1201 gives for the <GETVER>> reply; newer models may send more. */
export const GMC_VERSION_LENGTH = 14;

const COUNT_MASK = 0x3fff;

/**
 * The model and firmware from a <GETVER>> reply, or undefined when the reply is not
 * printable ASCII (the wrong baud rate, or not a GMC at all).
 */
export function readGmcVersion(reply: Uint8Array): string | undefined {
  let end = reply.length;
  // Some firmware pads the reply with NULs or spaces.
  while (end > 0 && (reply[end - 1] === 0 || reply[end - 1] === 0x20)) end--;
  if (end === 0) return undefined;
  const text = String.fromCharCode(...reply.subarray(0, end));
  return /^[\x20-\x7e]+$/.test(text) ? text : undefined;
}

/** The count of one heartbeat, from its two bytes. */
export function gmcHeartbeatCount(msb: number, lsb: number): number {
  return ((msb << 8) | lsb) & COUNT_MASK;
}

/** Heartbeat frames to samples; a frame may be split across chunks. */
export function createGmcParser(): SerialFormatParser {
  let pending: number | undefined;
  return {
    push(chunk) {
      const samples: number[] = [];
      for (const byte of chunk) {
        if (pending === undefined) {
          pending = byte;
          continue;
        }
        samples.push(gmcHeartbeatCount(pending, byte) & 0xff);
        pending = undefined;
      }
      // Frames have no delimiter to check, so nothing here is malformed; a wrong
      // baud rate shows up in the <GETVER>> reply before the heartbeat starts.
      return { samples: Uint8Array.from(samples), malformed: 0, longestMalformedRun: 0 };
    },
  };
}
