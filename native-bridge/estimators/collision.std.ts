// SP 800-90B §6.3.2 Collision estimate (binary data only).
import { Z_ALPHA } from './numeric.std';

export function collision(bits: Uint8Array): number {
  const len = bits.length;
  let i = 0;
  let v = 0;
  let s = 0;
  while (i < len - 1) {
    let t: number;
    if (bits[i] === bits[i + 1]) t = 2;
    else if (i < len - 2) t = 3;
    else break;
    v++;
    s += t * t;
    i += t;
  }
  let x = i / v;
  const sd = Math.sqrt((s - i * x) / (v - 1));
  x -= (Z_ALPHA * sd) / Math.sqrt(v);
  if (x < 2) x = 2;
  if (x < 2.5) return -Math.log2(0.5 + Math.sqrt(1.25 - 0.5 * x));
  return 1;
}
