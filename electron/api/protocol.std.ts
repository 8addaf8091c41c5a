// The wire protocol that carries the API contract. The same JSON messages travel
// over the WebSocket (browser mode) and over the preload's single IPC channel
// (Electron), so the renderer's client cannot tell the two apart.
import { z } from 'zod';

/** Largest message either side accepts, in bytes of JSON. */
export const MAX_MESSAGE_BYTES = 1 << 20;

/** Calls a client may have in flight at once; more are refused with `busy`. */
export const MAX_PENDING_CALLS = 64;

export const ErrorCode = z.enum([
  /** The message was not JSON or not a protocol message. */
  'bad_message',
  /** The method is not in the contract. */
  'unknown_method',
  /** The event is not in the contract. */
  'unknown_event',
  /** The params did not match the method's schema. */
  'invalid_params',
  /** Too many calls in flight. */
  'busy',
  /** The agent, message or record named does not exist. */
  'not_found',
  /** The request was understood but cannot be done in the current state. */
  'failed_precondition',
  /** Something the app depends on is missing or broken. */
  'unavailable',
  /** A bug: the handler threw or broke the contract. */
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiErrorBody = z.strictObject({
  code: ErrorCode,
  message: z.string(),
  /** For invalid_params: where each problem is, in the params. */
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

const CallId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const ClientMessage = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('call'), id: CallId, method: z.string().max(100), params: z.unknown() }),
  z.strictObject({ t: z.literal('sub'), event: z.string().max(100) }),
  z.strictObject({ t: z.literal('unsub'), event: z.string().max(100) }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export type ServerMessage =
  | { t: 'hello'; apiVersion: number }
  | { t: 'result'; id: number; ok: true; result: unknown }
  | { t: 'result'; id: number; ok: false; error: ApiErrorBody }
  | { t: 'event'; event: string; payload: unknown }
  /** A message that could not be answered as a call (bad JSON, bad shape, unknown event). */
  | { t: 'error'; error: ApiErrorBody };
