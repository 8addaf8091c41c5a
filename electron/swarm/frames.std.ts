// What peers of a circle say to each other: length-prefixed JSON frames (4 bytes big-endian,
// then UTF-8), each checked against the schema before anything acts on it. A frame over the
// limit, text that is not JSON, or a message of no known shape ends the connection: the reader
// says why in a sentence and the circle cuts the peer off.
import { z } from 'zod';

/** The largest frame a peer may send (the length prefix is checked before the body is read). */
export const MAX_FRAME_BYTES = 256 * 1024;
export const PROTOCOL_VERSION = 1;

/** The longest agent bundle an offer carries (a frame's limit less its envelope). */
export const MAX_BUNDLE_CHARS = MAX_FRAME_BYTES - 1024;
const Key = z.string().regex(/^[0-9a-f]{64}$/);
const Capacity = z.number().int().min(0).max(1_000_000);
/** A council question's id for one member: 16 random bytes. */
const AskKey = z.string().regex(/^[0-9a-f]{32}$/);
/** The most agents a peer lists for a council draw (its fittest). */
export const MAX_ROSTER = 16;

export const PeerMessage = z.discriminatedUnion('t', [
  /** The first message on a connection: who this installation calls itself and how many agents it would host. */
  z.strictObject({ t: z.literal('hello'), v: z.literal(PROTOCOL_VERSION), name: z.string().min(1).max(60), capacity: Capacity }),
  z.strictObject({ t: z.literal('ping'), at: z.number() }),
  /** The room this installation offers now (after it took in or lost an agent). */
  z.strictObject({ t: z.literal('room'), capacity: Capacity }),
  // A division placed on a peer, in two phases so that the child is never lost nor born twice:
  // the sender offers the child's signed bundle; the peer keeps it and says ready (or declines);
  // the sender decides, durably, and says commit (the peer gives birth, then says born) or abort
  // (the child stays with its sender). A peer holding an offer asks again after a reconnect.
  z.strictObject({ t: z.literal('offer'), key: Key, bundle: z.string().max(MAX_BUNDLE_CHARS) }),
  z.strictObject({ t: z.literal('ready'), key: Key }),
  z.strictObject({ t: z.literal('decline'), key: Key, reason: z.string().max(400) }),
  z.strictObject({ t: z.literal('commit'), key: Key }),
  z.strictObject({ t: z.literal('abort'), key: Key }),
  z.strictObject({ t: z.literal('born'), key: Key }),
  z.strictObject({ t: z.literal('query'), key: Key }),
  /** A descendant of an agent the receiver placed here: its signed bundle, and where it lives. */
  z.strictObject({ t: z.literal('lineage'), bundle: z.string().max(MAX_BUNDLE_CHARS), home: Key }),
  // A council across the circle: the asker asks each peer for its living agents and their
  // fitness, draws the members among everyone's, asks each member's home for its answer, and
  // sends each home the verdict (the pick) on its agent's answer.
  z.strictObject({ t: z.literal('roster-ask') }),
  z.strictObject({ t: z.literal('roster'), agents: z.array(z.strictObject({ uid: Key, name: z.string().min(1).max(200), fitness: z.number().min(-1e6).max(1e6) })).max(MAX_ROSTER) }),
  z.strictObject({ t: z.literal('ask'), key: AskKey, agent: Key, text: z.string().min(1).max(4000) }),
  z.strictObject({ t: z.literal('answer'), key: AskKey, text: z.string().max(16_000) }),
  z.strictObject({ t: z.literal('unanswered'), key: AskKey, reason: z.string().max(400) }),
  z.strictObject({ t: z.literal('verdict'), key: AskKey, value: z.number().min(-1).max(1) }),
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
