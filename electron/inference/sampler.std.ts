// Our token sampler over llama.cpp logits (node-llama-cpp's controlledEvaluate), in
// the order of llama.cpp's default sampler chain (common/sampling.cpp): logit bias →
// repetition penalty → top-k → top-p → min-p → temperature → softmax → one draw by
// inverse CDF. Randomness comes only from the caller's source (the HMAC_DRBG), never
// Math.random, and every step is deterministic (ties go to the lower token id), so
// the same source state and the same logits give the same token.
// Over 400 lines: one pipeline, each step beside the llama.cpp step it mirrors.
//
// Built for a 128k vocabulary: no step sorts the vocabulary. Top-k and top-p find
// their sets by quickselect (expected linear time), min-p is a threshold, and the
// draw walks the survivors in token-id order.

export interface RandomSource {
  /** A uniform float in [0, 1). */
  nextFloat(): number;
}

/** Logits over the whole vocabulary (index = token id), or over some tokens by id. */
export type Logits = Float32Array | ReadonlyMap<number, number>;

export interface SamplerOptions {
  /** Divides the logits before softmax; 0 takes the most likely token (greedy). Default 1. */
  temperature?: number;
  /** Keeps the k most likely tokens; 0 = off. Default 0. */
  topK?: number;
  /** Keeps the smallest set of most likely tokens whose probability reaches p; 1 = off. Default 1. */
  topP?: number;
  /** Drops tokens less likely than minP × the most likely one's probability; 0 = off. Default 0. */
  minP?: number;
  /** llama.cpp's repetition penalty for tokens among the last repeatLastN: a positive logit is divided by it, a negative (or zero) one multiplied; 1 = off. Default 1. */
  repeatPenalty?: number;
  /** How many of the latest recentTokens the penalty looks at; 0 = none, -1 = all. Default 64. */
  repeatLastN?: number;
  /** Tokens so far, oldest first. Default none. */
  recentTokens?: readonly number[];
  /** Added to logits before anything else; -Infinity forbids a token. Default none. */
  tokenBias?: ReadonlyMap<number, number>;
}

/** llama.cpp's own defaults (common_params_sampling), for callers who want its behaviour. */
export const LLAMA_CPP_DEFAULTS = {
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  minP: 0.05,
  repeatPenalty: 1,
  repeatLastN: 64,
} as const satisfies SamplerOptions;

export interface SampledToken {
  token: number;
  /** The token's probability in the distribution it was drawn from (1 when greedy). */
  probability: number;
  /** How many tokens that distribution held: those left after the bias and the filters (1 when greedy). */
  candidates: number;
}

/** The distribution a draw is made from, in token-id order. */
export interface TokenDistribution {
  tokens: Uint32Array;
  probabilities: Float64Array;
}

/** Invalid logits, options or random floats; the message says which and why. */
export class SamplingError extends Error {
  override readonly name = 'SamplingError';
}

type Resolved = Required<Omit<SamplerOptions, 'tokenBias'>> & { tokenBias: ReadonlyMap<number, number> };

const NO_BIAS: ReadonlyMap<number, number> = new Map();

function resolve(options: SamplerOptions): Resolved {
  const o: Resolved = {
    temperature: options.temperature ?? 1,
    topK: options.topK ?? 0,
    topP: options.topP ?? 1,
    minP: options.minP ?? 0,
    repeatPenalty: options.repeatPenalty ?? 1,
    repeatLastN: options.repeatLastN ?? 64,
    recentTokens: options.recentTokens ?? [],
    tokenBias: options.tokenBias ?? NO_BIAS,
  };
  const fail = (name: string, rule: string, value: unknown) => new SamplingError(`${name} must be ${rule}; got ${String(value)}.`);
  if (!(Number.isFinite(o.temperature) && o.temperature >= 0)) throw fail('temperature', 'a finite number ≥ 0 (0 = greedy)', o.temperature);
  if (!(Number.isSafeInteger(o.topK) && o.topK >= 0)) throw fail('topK', 'a whole number ≥ 0 (0 = off)', o.topK);
  if (!(o.topP >= 0 && o.topP <= 1)) throw fail('topP', 'between 0 and 1 (1 = off)', o.topP);
  if (!(o.minP >= 0 && o.minP <= 1)) throw fail('minP', 'between 0 and 1 (0 = off)', o.minP);
  if (!(Number.isFinite(o.repeatPenalty) && o.repeatPenalty > 0)) throw fail('repeatPenalty', 'a finite number > 0 (1 = off)', o.repeatPenalty);
  if (!(Number.isSafeInteger(o.repeatLastN) && o.repeatLastN >= -1)) throw fail('repeatLastN', 'a whole number ≥ -1 (0 = none, -1 = all recent tokens)', o.repeatLastN);
  return o;
}

const isTokenId = (t: number): boolean => Number.isInteger(t) && t >= 0 && t <= 0xffff_ffff;

/**
 * Samples tokens, reusing its scratch arrays between calls (one per vocabulary-sized
 * buffer). Not re-entrant; the stateless sampleToken() makes a fresh one.
 */
export class TokenSampler {
  /** Working logits by position; positions ascend with token id. */
  #logits = new Float32Array(0);
  /** Token id by position, for Map input; for Float32Array input the position is the id. */
  #ids = new Uint32Array(0);
  #dense = true;
  #size = 0;
  /** Candidate positions; [0, #count) are live. */
  #order = new Uint32Array(0);
  #count = 0;
  /** Unnormalised probabilities by position, valid for live candidates. */
  #weights = new Float64Array(0);
  /** Scratch flags by position for #restoreIdOrder. */
  #mark = new Uint8Array(0);
  #total = 0;
  /** xorshift32 state for quickselect pivots, reset every call so runs repeat exactly. */
  #pivotState = 0;
  /** Mass of the elements a #partition put before the pivot. */
  #partitionMass = 0;

  /** Draws one token. Consumes exactly one float from `random`, even when greedy, so the source's position depends only on how many tokens were drawn. */
  sample(logits: Logits, options: SamplerOptions, random: RandomSource): SampledToken {
    this.#prepare(logits, resolve(options));
    const u = random.nextFloat();
    if (!(u >= 0 && u < 1)) throw new SamplingError(`The random source returned ${u}; it must return a float in [0, 1).`);
    const order = this.#order;
    const w = this.#weights;
    const target = u * this.#total;
    let chosen = -1;
    let acc = 0;
    for (let i = 0; i < this.#count; i++) {
      const pos = order[i]!;
      acc += w[pos]!;
      if (acc > target) {
        chosen = pos;
        break;
      }
    }
    // rounding can leave the sum a hair under u·total: take the last token with weight
    for (let i = this.#count - 1; chosen < 0; i--) if (w[order[i]!]! > 0) chosen = order[i]!;
    return { token: this.#tokenAt(chosen), probability: w[chosen]! / this.#total, candidates: this.#count };
  }

  /** The distribution sample() would draw from, without drawing. */
  distribution(logits: Logits, options: SamplerOptions): TokenDistribution {
    this.#prepare(logits, resolve(options));
    const tokens = new Uint32Array(this.#count);
    const probabilities = new Float64Array(this.#count);
    for (let i = 0; i < this.#count; i++) {
      const pos = this.#order[i]!;
      tokens[i] = this.#tokenAt(pos);
      probabilities[i] = this.#weights[pos]! / this.#total;
    }
    return { tokens, probabilities };
  }

  #tokenAt(pos: number): number {
    return this.#dense ? pos : this.#ids[pos]!;
  }

  /** Runs the chain; leaves the survivors in #order[0, #count) ascending, their weights in #weights and their sum in #total. */
  #prepare(logits: Logits, o: Resolved): void {
    this.#load(logits);
    this.#applyBias(o.tokenBias);
    this.#applyRepeatPenalty(o);
    const L = this.#logits;
    const order = this.#order;
    let count = 0;
    for (let pos = 0; pos < this.#size; pos++) if (L[pos]! > -Infinity) order[count++] = pos;
    if (count === 0) throw new SamplingError('Every token is forbidden (all logits are -Infinity after the token bias): nothing can be sampled.');
    this.#count = count;
    this.#pivotState = 0x9e3779b9;

    if (o.temperature === 0) {
      // top-k, top-p and min-p all keep the most likely token, so greedy is the argmax
      const best = this.#best();
      order[0] = best;
      this.#count = 1;
      this.#weights[best] = 1;
      this.#total = 1;
      return;
    }
    let permuted = false;
    if (o.topK > 0 && o.topK < this.#count) {
      this.#selectTopK(o.topK);
      this.#count = o.topK;
      permuted = true;
    }
    if (o.topP < 1 && this.#count > 1) {
      // llama.cpp's top-p: softmax over the candidates as they stand (before temperature)
      this.#computeWeights(1);
      this.#dropTail((1 - o.topP) * this.#total);
      this.#count = this.#selectByMass(o.topP * this.#total);
      permuted = true;
    }
    if (o.minP > 0 && this.#count > 1) {
      // llama.cpp's min-p, in logit space: keep logit ≥ max logit + ln(minP), i.e. p ≥ minP·p_max
      const threshold = L[this.#best()]! + Math.log(o.minP);
      let kept = 0;
      for (let i = 0; i < this.#count; i++) {
        const pos = order[i]!;
        if (L[pos]! >= threshold) order[kept++] = pos;
      }
      this.#count = kept;
    }
    this.#computeWeights(o.temperature);
    if (permuted) this.#restoreIdOrder();
  }

  /** Puts the live candidates back in token-id order: a native sort when few, one marking pass over the vocabulary when many. */
  #restoreIdOrder(): void {
    const order = this.#order;
    if (this.#count <= this.#size >>> 6) {
      order.subarray(0, this.#count).sort();
      return;
    }
    const mark = this.#mark;
    mark.fill(0, 0, this.#size);
    for (let i = 0; i < this.#count; i++) mark[order[i]!] = 1;
    let k = 0;
    for (let pos = 0; pos < this.#size; pos++) if (mark[pos] === 1) order[k++] = pos;
  }

  #load(logits: Logits): void {
    const size = logits instanceof Float32Array ? logits.length : logits.size;
    if (size === 0) throw new SamplingError('There are no logits to sample from: the vocabulary is empty.');
    if (this.#logits.length < size) {
      this.#logits = new Float32Array(size);
      this.#order = new Uint32Array(size);
      this.#weights = new Float64Array(size);
      this.#mark = new Uint8Array(size);
    }
    this.#size = size;
    const L = this.#logits;
    if (logits instanceof Float32Array) {
      this.#dense = true;
      L.set(logits);
    } else {
      this.#dense = false;
      if (this.#ids.length < size) this.#ids = new Uint32Array(size);
      const ids = this.#ids;
      let n = 0;
      for (const token of logits.keys()) {
        if (!isTokenId(token)) throw new SamplingError(`The logits name token ${token}; token ids are whole numbers from 0 to 2^32 − 1.`);
        ids[n++] = token;
      }
      ids.subarray(0, size).sort();
      for (let pos = 0; pos < size; pos++) L[pos] = logits.get(ids[pos]!)!;
    }
    for (let pos = 0; pos < size; pos++) {
      const x = L[pos]!;
      if (!(x < Infinity)) {
        throw new SamplingError(`The logit for token ${this.#tokenAt(pos)} is ${x}: logits must be finite (or -Infinity to forbid a token). The model's output is broken; check the model file.`);
      }
    }
  }

  /** The position of `token`, or -1 when it is not among the logits. */
  #positionOf(token: number): number {
    if (this.#dense) return token < this.#size ? token : -1;
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const id = this.#ids[mid]!;
      if (id === token) return mid;
      if (id < token) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /** Positions of tokens the caller names; a token outside a full vocabulary is a mistake, one outside a Map is just not a candidate. */
  #requirePosition(token: number, where: string): number {
    if (!isTokenId(token)) throw new SamplingError(`${where} names token ${token}; token ids are whole numbers ≥ 0.`);
    const pos = this.#positionOf(token);
    if (pos < 0 && this.#dense) throw new SamplingError(`${where} names token ${token}, but the vocabulary has ${this.#size} tokens.`);
    return pos;
  }

  #applyBias(bias: ReadonlyMap<number, number>): void {
    for (const [token, b] of bias) {
      if (!(b < Infinity)) throw new SamplingError(`tokenBias for token ${token} is ${b}; a bias must be finite, or -Infinity to forbid the token.`);
      const pos = this.#requirePosition(token, 'tokenBias');
      if (pos >= 0) this.#logits[pos] = this.#logits[pos]! + b;
    }
  }

  /** llama.cpp's penalties sampler (penalty_repeat): once per distinct token in the window, however often it occurs. */
  #applyRepeatPenalty(o: Resolved): void {
    if (o.repeatPenalty === 1 || o.repeatLastN === 0) return;
    const recent = o.recentTokens;
    const from = o.repeatLastN === -1 ? 0 : Math.max(0, recent.length - o.repeatLastN);
    const seen = new Set<number>();
    for (let i = from; i < recent.length; i++) {
      const token = recent[i]!;
      const pos = this.#requirePosition(token, `recentTokens[${i}]`);
      if (pos < 0 || seen.has(pos)) continue;
      seen.add(pos);
      const x = this.#logits[pos]!;
      this.#logits[pos] = x <= 0 ? x * o.repeatPenalty : x / o.repeatPenalty;
    }
  }

  /** The live candidate that comes first: highest logit, then lowest token id. */
  #best(): number {
    const L = this.#logits;
    const order = this.#order;
    let best = order[0]!;
    for (let i = 1; i < this.#count; i++) {
      const pos = order[i]!;
      // positions ascend with token id, so on a tie the lower position wins
      if (L[pos]! > L[best]! || (L[pos] === L[best] && pos < best)) best = pos;
    }
    return best;
  }

  /** weights = exp((logit − max) / temperature) over the live candidates, and their total. */
  #computeWeights(temperature: number): void {
    const L = this.#logits;
    const w = this.#weights;
    const order = this.#order;
    const max = L[this.#best()]!;
    let total = 0;
    for (let i = 0; i < this.#count; i++) {
      const pos = order[i]!;
      const x = Math.exp((L[pos]! - max) / temperature);
      w[pos] = x;
      total += x;
    }
    this.#total = total;
  }

  /**
   * Lomuto partition of #order[lo, hi) around a pseudo-random pivot: candidates
   * ranked before it (higher logit, or equal logit and lower id) move to the front.
   * Returns the pivot's index; the weight of the front part is left in #partitionMass.
   */
  #partition(lo: number, hi: number): number {
    const order = this.#order;
    const L = this.#logits;
    const w = this.#weights;
    let s = this.#pivotState;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.#pivotState = s >>> 0;
    const at = lo + (this.#pivotState % (hi - lo));
    const pivot = order[at]!;
    order[at] = order[hi - 1]!;
    order[hi - 1] = pivot;
    const pl = L[pivot]!;
    let store = lo;
    let mass = 0;
    for (let i = lo; i < hi - 1; i++) {
      const pos = order[i]!;
      const x = L[pos]!;
      if (x > pl || (x === pl && pos < pivot)) {
        order[i] = order[store]!;
        order[store++] = pos;
        mass += w[pos]!;
      }
    }
    order[hi - 1] = order[store]!;
    order[store] = pivot;
    this.#partitionMass = mass;
    return store;
  }

  /**
   * Drops candidates top-p is sure to cut, before the quickselect: those lighter than
   * t = tail / (2·count) weigh less than count·t < tail together, so the first-ranked
   * rest alone reaches p and the cut falls before all of them. Keeps candidate order.
   */
  #dropTail(tail: number): void {
    const order = this.#order;
    const w = this.#weights;
    const t = tail / (2 * this.#count);
    let kept = 0;
    for (let i = 0; i < this.#count; i++) {
      const pos = order[i]!;
      if (w[pos]! >= t) order[kept++] = pos;
    }
    this.#count = kept;
  }

  /** Quickselect: puts the k first-ranked candidates in #order[0, k), in no particular order. */
  #selectTopK(k: number): void {
    let lo = 0;
    let hi = this.#count;
    while (hi - lo > 1) {
      const p = this.#partition(lo, hi);
      if (p === k || p === k - 1) return;
      if (p > k) hi = p;
      else lo = p + 1;
    }
  }

  /**
   * llama.cpp's top-p cut without sorting: puts in #order[0, m) the smallest m ≥ 1
   * first-ranked candidates whose weights sum to at least `target`, and returns m.
   * Invariant: the answer lies in (lo, hi], and [0, lo) holds first-ranked candidates
   * whose mass is target − need < target.
   */
  #selectByMass(target: number): number {
    const w = this.#weights;
    let lo = 0;
    let hi = this.#count;
    let need = target;
    while (hi - lo > 1) {
      const p = this.#partition(lo, hi);
      const front = this.#partitionMass;
      if (p > lo && front >= need) {
        hi = p;
        continue;
      }
      const withPivot = front + w[this.#order[p]!]!;
      if (withPivot >= need) return p + 1;
      need -= withPivot;
      lo = p + 1;
    }
    return hi;
  }
}

/** Samples one token with a fresh TokenSampler; see TokenSampler.sample. */
export function sampleToken(logits: Logits, options: SamplerOptions, random: RandomSource): SampledToken {
  return new TokenSampler().sample(logits, options, random);
}
