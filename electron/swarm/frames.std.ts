// What peers of a circle say to each other: length-prefixed JSON frames (4 bytes big-endian,
// then UTF-8), each checked against the schema before anything acts on it. A frame over the
// limit, text that is not JSON, or a message of no known shape ends the connection: the reader
// says why in a sentence and the circle cuts the peer off.
import { z } from 'zod';

/** The largest frame a peer may send (the length prefix is checked before the body is read). */
export const MAX_FRAME_BYTES = 256 * 1024;
export const PROTOCOL_VERSION = 1;

export const PeerMessage = z.discriminatedUnion('t', [
  /** The first message on a connection: who this installation calls itself and how many agents it would host. */
  z.strictObject({ t: z.literal('hello'), v: z.literal(PROTOCOL_VERSION), name: z.string().min(1).max(60), capacity: z.number().int().min(0).max(1_000_000) }),
  z.strictObject({ t: z.literal('ping'), at: z.number() }),
]);
export type PeerMessage = z.infer<typeof PeerMessage>;

export class FrameError extends Error {
  override readonly name = 'FrameError';
}

export function encodeFrame(message: PeerMessage): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(message));
  if (body.length > MAX_FRAME_BYTES) throw new FrameError(`A message of ${body.length} bytes is over the ${MAX_FRAME_BYTES}-byte frame limit.`);
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/** Splits a peer's byte stream into checked messages; throws FrameError at the first bad frame. */
export class FrameReader {
  #buffer = new Uint8Array(0);

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  push(chunk: Uint8Array): PeerMessage[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    const messages: PeerMessage[] = [];
    let at = 0;
    while (joined.length - at >= 4) {
      const length = new DataView(joined.buffer, at, 4).getUint32(0);
      if (length > this.maxFrameBytes) throw new FrameError(`a frame of ${length} bytes, over the ${this.maxFrameBytes}-byte limit`);
      if (joined.length - at - 4 < length) break;
      const body = joined.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
      } catch {
        throw new FrameError('a frame that is not UTF-8 JSON');
      }
      const parsed = PeerMessage.safeParse(json);
      if (!parsed.success) throw new FrameError(`a message of no known shape (${parsed.error.issues[0]!.path.join('.') || 'its type'}: ${parsed.error.issues[0]!.message})`);
      messages.push(parsed.data);
    }
    this.#buffer = joined.slice(at);
    return messages;
  }
}
