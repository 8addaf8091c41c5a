// Text → 512-d unit vector for memories, by feature hashing (Weinberger et al. 2009):
// words, word pairs and character trigrams, each hashed (FNV-1a) to a signed slot.
// Needs no model, so memories work the same whichever language model is loaded and
// an agent's memories stay comparable across model changes.
export const EMBEDDING_DIMENSIONS = 512;

function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function add(vector: Float32Array, feature: string, weight: number): void {
  const h = fnv1a(feature);
  const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
  vector[h % EMBEDDING_DIMENSIONS] = vector[h % EMBEDDING_DIMENSIONS]! + sign * weight;
}

export function words(text: string): string[] {
  return text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}']+/gu) ?? [];
}

/** The unit-length embedding of `text`; the zero vector's stand-in for empty text is a fixed unit vector. */
export function embed(text: string): Float32Array {
  const vector = new Float32Array(EMBEDDING_DIMENSIONS);
  const tokens = words(text);
  tokens.forEach((word, i) => {
    add(vector, `w:${word}`, 1);
    if (i > 0) add(vector, `b:${tokens[i - 1]} ${word}`, 0.5);
    const padded = `^${word}$`;
    for (let j = 0; j + 3 <= padded.length; j++) add(vector, `c:${padded.slice(j, j + 3)}`, 0.25);
  });
  if (tokens.length === 0) vector[0] = 1;
  return normalize(vector);
}

export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
  return vector;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
