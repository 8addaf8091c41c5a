// Prepares raw samples for assessment the way NIST's tool reads a file
// (cpp/shared/utils.h read_file_subset): infer or check the bit width, map the
// symbols down to 0..k−1 when some are unused, and expand to a bitstring.

export interface Dataset {
  /** Bits per sample, 1..8. */
  bitsPerSample: number;
  /** Number of distinct symbols present. */
  alphabetSize: number;
  /** Samples translated to 0..alphabetSize−1 when the alphabet has gaps. */
  symbols: Uint8Array;
  /** The (untranslated) samples as bits, most significant first. */
  bits: Uint8Array;
}

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

/** The width of the widest sample, as NIST infers it when none is given. */
export function inferBitsPerSample(samples: Uint8Array): number {
  let mask = 0;
  for (let i = 0; i < samples.length; i++) mask |= samples[i]!;
  return mask === 0 ? 0 : 32 - Math.clz32(mask);
}

export function prepareDataset(samples: Uint8Array, bitsPerSample?: number): Dataset {
  if (samples.length === 0) throw new DatasetError('There are no samples to assess.');
  const width = inferBitsPerSample(samples);
  const bits = bitsPerSample ?? width;
  if (bitsPerSample !== undefined && (bitsPerSample < 1 || bitsPerSample > 8 || !Number.isInteger(bitsPerSample))) {
    throw new DatasetError(`Bits per sample must be a whole number from 1 to 8, not ${bitsPerSample}.`);
  }
  if (width > bits) throw new DatasetError(`The samples use ${width} bits, more than the ${bits} bits per sample declared.`);
  const wordSize = Math.max(bits, 1);
  const mask = (1 << wordSize) - 1;
  const symbols = new Uint8Array(samples.length);
  const present = new Uint8Array(1 << wordSize);
  let maxSymbol = 0;
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i]! & mask;
    symbols[i] = value;
    present[value] = 1;
    if (value > maxSymbol) maxSymbol = value;
  }
  const mapDown = new Uint8Array(1 << wordSize);
  let alphabetSize = 0;
  for (let v = 0; v < present.length; v++) if (present[v]) mapDown[v] = alphabetSize++;

  let bitstring: Uint8Array;
  if (wordSize === 1) {
    bitstring = symbols;
  } else {
    bitstring = new Uint8Array(samples.length * wordSize);
    for (let i = 0, o = 0; i < symbols.length; i++) {
      const value = symbols[i]!;
      for (let j = wordSize - 1; j >= 0; j--) bitstring[o++] = (value >> j) & 1;
    }
  }
  if (alphabetSize < maxSymbol + 1) {
    const mapped = wordSize === 1 ? new Uint8Array(symbols) : symbols;
    for (let i = 0; i < mapped.length; i++) mapped[i] = mapDown[mapped[i]!]!;
    return { bitsPerSample: wordSize, alphabetSize, symbols: mapped, bits: bitstring };
  }
  return { bitsPerSample: wordSize, alphabetSize, symbols, bits: bitstring };
}
