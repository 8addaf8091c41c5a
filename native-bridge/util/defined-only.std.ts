/** Drops undefined fields, so `{ stallTimeoutMs: undefined }` spread over defaults keeps the default. */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
