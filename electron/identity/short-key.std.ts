/** A public key's short form for people: its first 8 hex digits in two groups ("3fa9·c01e"). */
export function shortKey(publicKey: string): string {
  return `${publicKey.slice(0, 4)}·${publicKey.slice(4, 8)}`;
}
