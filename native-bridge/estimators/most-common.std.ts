// SP 800-90B §6.3.1 Most Common Value estimate.
import { Z_ALPHA } from './numeric.std';

export function mostCommonValue(symbols: Uint8Array, alphabetSize: number): number {
  const counts = new Float64Array(Math.max(alphabetSize, 256));
  for (let i = 0; i < symbols.length; i++) counts[symbols[i]!]!++;
  let mode = 0;
  for (const count of counts) if (count > mode) mode = count;
  const n = symbols.length;
  const pMax = mode / n;
  const upper = Math.min(1, pMax + Z_ALPHA * Math.sqrt((pMax * (1 - pMax)) / (n - 1)));
  return -Math.log2(upper);
}
