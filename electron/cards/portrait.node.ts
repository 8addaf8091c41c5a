// A portrait for an agent's exported card, drawn from what the agent is: a mirrored 7×7 pattern
// from its uid (as identicons are), its colours from its temperament and voice, so the same
// agent always gets the same picture and its children look related but not alike.
import { deflateSync } from 'node:zlib';
import { writePngChunks } from './png-chunks.std';

export const PORTRAIT_SIZE = 256;
const CELLS = 7;

/** An RGBA image as a PNG (colour type 6, 8 bits, no interlace; every row filter 0). */
export function encodeRgbaPng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (rgba.length !== width * height * 4) throw new RangeError(`An RGBA image of ${width}×${height} has ${width * height * 4} bytes, not ${rgba.length}.`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = new Uint8Array(height * (1 + width * 4));
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (1 + width * 4) + 1);
  return writePngChunks([
    { type: 'IHDR', data: header },
    { type: 'IDAT', data: deflateSync(raw, { level: 9 }) },
    { type: 'IEND', data: new Uint8Array(0) },
  ]);
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** The agent's portrait PNG from its uid (64 hex digits) and traits (values in [0, 1]). */
export function portraitPng(uid: string, traits: Record<string, number>): Uint8Array {
  const bytes = Uint8Array.from(uid.match(/../g)!.map((h) => parseInt(h, 16)));
  const t = (name: string) => Math.max(0, Math.min(1, traits[name] ?? 0.5));
  const hue = (bytes[0]! / 255 + t('temperament.temperature') * 0.5) % 1;
  const ink = hsl(hue, 0.35 + 0.5 * t('voice.quirk'), 0.3 + 0.3 * t('intent.warmth'));
  const paper = hsl((hue + 0.5) % 1, 0.25, 0.9);
  const on = (x: number, y: number) => {
    const column = x < (CELLS + 1) / 2 ? x : CELLS - 1 - x;
    const bit = y * 4 + column;
    return ((bytes[1 + (bit >> 3)]! >> (bit & 7)) & 1) === 1;
  };
  const rgba = new Uint8Array(PORTRAIT_SIZE * PORTRAIT_SIZE * 4);
  const margin = PORTRAIT_SIZE / (CELLS + 2);
  for (let y = 0; y < PORTRAIT_SIZE; y++) {
    for (let x = 0; x < PORTRAIT_SIZE; x++) {
      const cx = Math.floor((x - margin) / margin);
      const cy = Math.floor((y - margin) / margin);
      const inside = cx >= 0 && cy >= 0 && cx < CELLS && cy < CELLS && on(cx, cy);
      rgba.set([...(inside ? ink : paper), 255], (y * PORTRAIT_SIZE + x) * 4);
    }
  }
  return encodeRgbaPng(PORTRAIT_SIZE, PORTRAIT_SIZE, rgba);
}
