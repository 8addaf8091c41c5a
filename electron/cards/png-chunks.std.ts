// PNG's container, as character cards use it: the signature, then chunks of
// length (4 bytes, big-endian) ‖ type (4 ASCII letters) ‖ data ‖ CRC-32 of type and data
// (ISO/IEC 15948 §5.3). Cards carry their JSON, base64-encoded, in tEXt chunks
// (keyword ‖ NUL ‖ Latin-1 text, §11.3.4.3). Reading checks every length and CRC, so a
// damaged or cut-short file is said as such rather than read as a different card.

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** PNG allows chunks up to 2³¹ − 1 bytes (§5.3). */
const MAX_CHUNK_LENGTH = 0x7fffffff;

export interface PngChunk {
  type: string;
  data: Uint8Array;
}

export class PngError extends Error {
  override readonly name = 'PngError';
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG and zip use it) of the bytes, continuing from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Every chunk up to and including IEND, each length and CRC checked. */
export function readPngChunks(bytes: Uint8Array): PngChunk[] {
  if (!isPng(bytes)) throw new PngError('This is not a PNG file (its first 8 bytes are not the PNG signature).');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let at = PNG_SIGNATURE.length;
  for (;;) {
    const ordinal = chunks.length + 1;
    if (at + 8 > bytes.length) throw new PngError(`The PNG is cut short: it ends after ${chunks.length} chunks, without the IEND chunk that closes a PNG.`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) throw new PngError(`The PNG's chunk ${ordinal} has no valid type (bytes ${at + 4}–${at + 7}): the file is damaged.`);
    if (length > MAX_CHUNK_LENGTH) throw new PngError(`The PNG's ${type} chunk claims ${length} bytes, more than PNG allows: the file is damaged.`);
    if (at + 12 + length > bytes.length) {
      throw new PngError(`The PNG is cut short in its ${type} chunk (chunk ${ordinal}): it claims ${length} bytes and ${Math.max(0, bytes.length - at - 12)} are there.`);
    }
    const data = bytes.subarray(at + 8, at + 8 + length);
    const stored = view.getUint32(at + 8 + length);
    if (crc32(data, crc32(bytes.subarray(at + 4, at + 8))) !== stored) {
      throw new PngError(`The PNG's ${type} chunk (chunk ${ordinal}) fails its CRC check: the file is damaged.`);
    }
    chunks.push({ type, data });
    at += 12 + length;
    if (type === 'IEND') return chunks;
  }
}

/** The PNG made of these chunks (the caller gives IHDR first and IEND last). */
export function writePngChunks(chunks: readonly PngChunk[]): Uint8Array {
  const out = new Uint8Array(PNG_SIGNATURE.length + chunks.reduce((sum, c) => sum + 12 + c.data.length, 0));
  const view = new DataView(out.buffer);
  out.set(PNG_SIGNATURE);
  let at = PNG_SIGNATURE.length;
  for (const chunk of chunks) {
    if (!/^[A-Za-z]{4}$/.test(chunk.type)) throw new PngError(`"${chunk.type}" is not a PNG chunk type.`);
    view.setUint32(at, chunk.data.length);
    for (let i = 0; i < 4; i++) out[at + 4 + i] = chunk.type.charCodeAt(i);
    out.set(chunk.data, at + 8);
    view.setUint32(at + 8 + chunk.data.length, crc32(chunk.data, crc32(out.subarray(at + 4, at + 8))));
    at += 12 + chunk.data.length;
  }
  return out;
}

/** A tEXt chunk's keyword and text (Latin-1; card text is base64, so ASCII). */
export function readTextChunk(chunk: PngChunk): { keyword: string; text: string } {
  const nul = chunk.data.indexOf(0);
  if (nul < 1) throw new PngError('A tEXt chunk of the PNG has no keyword: the file is damaged.');
  const latin1 = (bytes: Uint8Array) => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return s;
  };
  return { keyword: latin1(chunk.data.subarray(0, nul)), text: latin1(chunk.data.subarray(nul + 1)) };
}

export function textChunk(keyword: string, text: string): PngChunk {
  const data = new Uint8Array(keyword.length + 1 + text.length);
  for (let i = 0; i < keyword.length; i++) data[i] = keyword.charCodeAt(i) & 0xff;
  for (let i = 0; i < text.length; i++) data[keyword.length + 1 + i] = text.charCodeAt(i) & 0xff;
  return { type: 'tEXt', data };
}
