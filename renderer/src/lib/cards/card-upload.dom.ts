// A card file as the window sends it: as it is when it fits an API message, else (a PNG card
// with a large picture) its card chunks in the picture redrawn at most 512 pixels wide, then
// smaller until it fits.
import { cardChunksOf, MAX_CARD_UPLOAD_BYTES, withPicture } from '../../../../electron/cards/card-upload.std';

/** Longest sides tried for a redrawn picture, largest first. */
const PICTURE_SIDES = [512, 384, 256, 128];

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function fromBase64(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

async function smallerPicture(bitmap: ImageBitmap, side: number): Promise<Uint8Array> {
  const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
  const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}

/** The file's bytes as base64 for cards.import, or a sentence saying why it cannot be sent. */
export async function cardUpload(file: File): Promise<{ base64: string } | { error: string }> {
  let bytes: Uint8Array = new Uint8Array(await file.arrayBuffer());
  if (bytes.length > MAX_CARD_UPLOAD_BYTES) {
    let chunks;
    try {
      chunks = cardChunksOf(bytes);
    } catch (error) {
      return { error: `${file.name}: ${(error as Error).message}` };
    }
    if (chunks) {
      const bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: 'image/png' }));
      try {
        for (const side of PICTURE_SIDES) {
          bytes = withPicture(chunks, await smallerPicture(bitmap, side));
          if (bytes.length <= MAX_CARD_UPLOAD_BYTES) break;
        }
      } finally {
        bitmap.close();
      }
    }
    if (bytes.length > MAX_CARD_UPLOAD_BYTES) {
      return { error: `${file.name} is ${(bytes.length / 2 ** 20).toFixed(1)} MiB, more than the window sends (${(MAX_CARD_UPLOAD_BYTES / 2 ** 20).toFixed(2)} MiB): import it with \`lightseed card import\`.` };
    }
  }
  return { base64: toBase64(bytes) };
}
