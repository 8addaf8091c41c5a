// Parses the source URIs of the architecture:
//   jitter:  rtltcp://HOST:PORT?freq=HZ&rate=SPS&gain=TENTHS_DB  serial:PATH?baud=N&format=…
//   audio:DEVICE  wav:PATH?bits=K  file:PATH?bits=K
import { SourceError, type SourceKind } from './source.std';

export interface ParsedSourceUri {
  kind: SourceKind;
  /** Path (serial, wav, file), device (audio) or host:port (rtltcp); empty for jitter. */
  target: string;
  params: Map<string, string>;
}

const KINDS: readonly SourceKind[] = ['jitter', 'rtltcp', 'serial', 'audio', 'wav', 'file'];

export function parseSourceUri(uri: string): ParsedSourceUri {
  const match = /^([a-z]+):(?:\/\/)?([^?]*)(?:\?(.*))?$/.exec(uri.trim());
  const kind = match?.[1] as SourceKind | undefined;
  if (!match || !kind || !KINDS.includes(kind)) {
    throw new SourceError('config', `"${uri}" is not a source URI. Use one of: jitter:, rtltcp://HOST:PORT, serial:PATH, audio:DEVICE, wav:PATH, file:PATH.`);
  }
  const params = new Map<string, string>();
  for (const pair of (match[3] ?? '').split('&').filter(Boolean)) {
    const [key, value = ''] = pair.split('=');
    params.set(decodeURIComponent(key!), decodeURIComponent(value));
  }
  return { kind, target: decodeURIComponent(match[2] ?? ''), params };
}

/** Reads an integer parameter, with a default and bounds; throws a config SourceError naming the URI. */
export function intParam(parsed: ParsedSourceUri, name: string, fallback: number, min: number, max: number): number {
  const raw = parsed.params.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || value > max) {
    throw new SourceError('config', `The ${parsed.kind} source parameter ${name}=${raw} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

/** Refuses parameters the source does not know, so a typo is not silently ignored. */
export function checkParams(parsed: ParsedSourceUri, known: readonly string[]): void {
  for (const key of parsed.params.keys()) {
    if (!known.includes(key)) {
      throw new SourceError('config', `The ${parsed.kind} source has no parameter "${key}"${known.length ? ` (it knows ${known.join(', ')})` : ''}.`);
    }
  }
}
