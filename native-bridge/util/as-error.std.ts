/** A thrown value as an Error: a callback may throw anything, a message needs `.message`. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
