// A character card file as people share it: a PNG with the card in a tEXt chunk (`ccv3` for V3,
// preferred when both are there, `chara` for V2), plain JSON, or CHARX (a zip whose card.json is
// the card, RisuAI's format). Each malformed case is said in a sentence naming the file.
import { inflateRawSync } from 'node:zlib';
import { CardError, cardFromJsonText, cardToV2Json, cardToV3Json, type CardData, type CharacterCard } from './character-card.std';
import { isPng, PngError, readPngChunks, readTextChunk, textChunk, writePngChunks } from './png-chunks.std';

/** Cards are text and a portrait; anything larger is refused before it is parsed. */
export const MAX_CARD_BYTES = 20 * 2 ** 20;

export type CardFormat = 'png' | 'json' | 'charx';

export interface CardFile {
  card: CharacterCard;
  format: CardFormat;
  /** The PNG's bytes, kept as the card's portrait when it came as a PNG. */
  portrait?: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CardError(`${what} is not UTF-8 text.`);
  }
}

/** Reads a card from a file's bytes; `name` is how the file is called in messages. */
export function readCardBytes(bytes: Uint8Array, name: string): CardFile {
  if (bytes.length > MAX_CARD_BYTES) {
    throw new CardError(`${name} is ${(bytes.length / 2 ** 20).toFixed(1)} MiB; a character card is at most ${MAX_CARD_BYTES / 2 ** 20} MiB, so it was not read.`);
  }
  try {
    if (isPng(bytes)) return { card: cardFromPng(bytes, name), format: 'png', portrait: bytes };
    if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return { card: cardFromCharx(bytes, name), format: 'charx' };
    const text = decodeUtf8(bytes, name);
    if (/^\uFEFF?\s*\{/.test(text)) return { card: cardFromJsonText(text, name), format: 'json' };
  } catch (error) {
    if (error instanceof PngError) throw new CardError(`${name}: ${error.message}`, { cause: error });
    if (error instanceof CardError && !error.message.startsWith(name)) throw new CardError(`${name}: ${error.message}`, { cause: error });
    throw error;
  }
  throw new CardError(`${name} is not a character card: LightSeed reads PNG cards, JSON cards and CHARX files.`);
}

function cardFromPng(bytes: Uint8Array, name: string): CharacterCard {
  const texts = new Map<string, string>();
  for (const chunk of readPngChunks(bytes)) {
    if (chunk.type !== 'tEXt') continue;
    const { keyword, text } = readTextChunk(chunk);
    if ((keyword === 'ccv3' || keyword === 'chara') && !texts.has(keyword)) texts.set(keyword, text);
  }
  const keyword = texts.has('ccv3') ? 'ccv3' : texts.has('chara') ? 'chara' : undefined;
  if (!keyword) throw new CardError('This PNG holds no character card (no tEXt chunk named ccv3 or chara): it is only a picture.');
  const base64 = texts.get(keyword)!.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) throw new CardError(`The PNG's ${keyword} chunk is not base64 text.`);
  return cardFromJsonText(decodeUtf8(Buffer.from(base64, 'base64'), `The PNG's ${keyword} chunk`), `The card in the PNG's ${keyword} chunk of ${name}`);
}

/** card.json out of a CHARX zip (stored or deflated entries; no zip64, which no card needs). */
function cardFromCharx(bytes: Uint8Array, name: string): CharacterCard {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new CardError('The CHARX file is not a complete zip (no end of its central directory): it may be cut short.');
  const entries = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  for (let i = 0; i < entries; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw new CardError('The CHARX zip\'s directory is damaged.');
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const local = view.getUint32(at + 42, true);
    const entryName = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (entryName !== 'card.json') continue;
    if (size > MAX_CARD_BYTES) throw new CardError(`The CHARX file's card.json is ${size} bytes unpacked, more than a card can be.`);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) throw new CardError('The CHARX zip\'s card.json entry is damaged.');
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressed > bytes.length) throw new CardError('The CHARX file is cut short inside card.json.');
    const packed = bytes.subarray(start, start + compressed);
    let json: Uint8Array;
    if (method === 0) json = packed;
    else if (method === 8) {
      try {
        json = inflateRawSync(packed, { maxOutputLength: MAX_CARD_BYTES });
      } catch (error) {
        throw new CardError(`The CHARX file's card.json does not unpack (${(error as Error).message}).`, { cause: error });
      }
    } else throw new CardError(`The CHARX file's card.json is packed with method ${method}; zip readers know stored (0) and deflate (8).`);
    return cardFromJsonText(decodeUtf8(json, 'The CHARX file\'s card.json'), `The card.json of ${name}`);
  }
  throw new CardError('The CHARX file has no card.json.');
}

/**
 * A V3 PNG card: the image's own chunks, its old card chunks left out, then `chara` (V2, for
 * readers that know only V2) and `ccv3` (V3) before IEND, as SillyTavern writes them.
 */
export function writeCardPng(data: CardData, image: Uint8Array): Uint8Array {
  const chunks = readPngChunks(image).filter((chunk) => !(chunk.type === 'tEXt' && ['chara', 'ccv3'].includes(readTextChunk(chunk).keyword)));
  const base64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
  return writePngChunks([...chunks.slice(0, -1), textChunk('chara', base64(cardToV2Json(data))), textChunk('ccv3', base64(cardToV3Json(data))), chunks.at(-1)!]);
}
