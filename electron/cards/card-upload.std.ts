// Sending a card file from the window: API messages are at most 1 MiB, and a PNG card is often
// a large picture around a small card. The window keeps the card's own chunks and redraws the
// picture smaller (cards/ has no image code: the window's canvas does it); the main process then
// reads the result as any card file, so there is one reading path.
import { isPng, readPngChunks, readTextChunk, writePngChunks } from './png-chunks.std';

/** The largest card file the window sends as it is (its base64 fits an API message with room to spare). */
export const MAX_CARD_UPLOAD_BYTES = Math.floor(((1 << 20) * 0.95 * 3) / 4);

/** A PNG card's card chunks (tEXt chara / ccv3), or undefined when the bytes are not a PNG card. */
export function cardChunksOf(bytes: Uint8Array): ReturnType<typeof readPngChunks> | undefined {
  if (!isPng(bytes)) return undefined;
  const chunks = readPngChunks(bytes).filter((c) => c.type === 'tEXt' && ['chara', 'ccv3'].includes(readTextChunk(c).keyword));
  return chunks.length ? chunks : undefined;
}

/** The card chunks put into another picture (a PNG without card chunks), before its IEND. */
export function withPicture(cardChunks: ReturnType<typeof readPngChunks>, picture: Uint8Array): Uint8Array {
  const chunks = readPngChunks(picture);
  return writePngChunks([...chunks.slice(0, -1), ...cardChunks, chunks.at(-1)!]);
}
