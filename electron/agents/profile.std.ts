// How trait values become behaviour: the sampling profile (temperament, voice), the
// persona and goal in the system prompt (intent), and the life rules (division
// threshold with selection pressure, archival). Pure functions of numbers.
import type { TraitValues } from './trait-names.std';
import { trait } from './trait-names.std';

export interface SamplingProfile {
  temperature: number;
  topP: number;
  topK: number;
  minP: number;
  repeatPenalty: number;
  repeatLastN: number;
  /** Scale of the agent's own adapter. */
  adapterScale: number;
  /** Largest scale of the per-turn noise adapter; each turn draws a fraction of it from the pool. */
  noiseScale: number;
  maxTokens: number;
}

export function samplingProfile(values: TraitValues): SamplingProfile {
  const arousal = trait(values, 'temperament.arousal');
  const volatility = trait(values, 'temperament.volatility');
  const verbosity = trait(values, 'voice.verbosity');
  return {
    temperature: 0.55 + 0.6 * arousal,
    topP: 0.85 + 0.13 * arousal,
    topK: 40,
    minP: 0.05,
    repeatPenalty: 1.1,
    repeatLastN: 64,
    adapterScale: 0.6 + 0.8 * volatility,
    noiseScale: 0.2 + 0.6 * volatility,
    maxTokens: 48 + Math.round(160 * verbosity),
  };
}

/** The part of a profile the sampler takes (the rest shapes adapters and the answer's length). */
export function samplerSettings(profile: SamplingProfile): Pick<SamplingProfile, 'temperature' | 'topP' | 'topK' | 'minP' | 'repeatPenalty' | 'repeatLastN'> {
  const { temperature, topP, topK, minP, repeatPenalty, repeatLastN } = profile;
  return { temperature, topP, topK, minP, repeatPenalty, repeatLastN };
}

/** How strongly the voice shapes tokens: the adapter's size relative to the base weights, and the token bias. */
export function voiceStrength(values: TraitValues): { adapterRelativeRms: number; tokenBias: number } {
  const quirk = trait(values, 'voice.quirk');
  return { adapterRelativeRms: 0.05 + 0.1 * quirk, tokenBias: 0.3 + 1.2 * quirk };
}

const poles = (v: number, low: string, high: string): string | undefined => (v > 0.62 ? high : v < 0.38 ? low : undefined);

/** The persona and goal, in words derived from the intent (and voice) values. */
export function persona(values: TraitValues, name: string, generation: number): string {
  return `${personaCore(values, name, generation)} ${answerLength(values)}`;
}

/** The persona and goal without the answer length: what a character card's {{original}} stands for. */
export function personaCore(values: TraitValues, name: string, generation: number): string {
  const intent = {
    curiosity: trait(values, 'intent.curiosity'),
    warmth: trait(values, 'intent.warmth'),
    playfulness: trait(values, 'intent.playfulness'),
    focus: trait(values, 'intent.focus'),
  };
  const adjectives = [
    poles(intent.curiosity, 'content with what you know', 'curious and full of questions'),
    poles(intent.warmth, 'dry and blunt', 'warm and kind'),
    poles(intent.playfulness, 'serious', 'playful'),
    poles(intent.focus, 'prone to wander into tangents', 'focused'),
  ].filter((a): a is string => a !== undefined);
  const goals: Record<keyof typeof intent, string> = {
    curiosity: 'to learn something new from the person you talk to',
    warmth: 'to make the person you talk to feel heard',
    playfulness: 'to make the person you talk to smile',
    focus: 'to give short, exact, useful answers',
  };
  const strongest = (Object.keys(intent) as (keyof typeof intent)[]).reduce((a, b) => (intent[b] > intent[a] ? b : a));
  const who = generation === 0 ? 'born from physical noise' : `of generation ${generation}, descended from an agent born of physical noise`;
  return `You are ${name}, a small companion ${who}. You are ${adjectives.length ? adjectives.join(', ') : 'even-tempered'}. Your goal is ${goals[strongest]}.`;
}

/** How long the agent's answers are, from its voice's verbosity (a line of its system prompt, with or without a card). */
export function answerLength(values: TraitValues): string {
  const verbosity = trait(values, 'voice.verbosity');
  return verbosity < 0.4 ? 'Answer in a sentence or two.' : verbosity > 0.7 ? 'Take your time and answer fully.' : 'Answer in a few sentences.';
}

export interface LifeRules {
  /** R: interactions between divisions for an agent of fitness 0 (default 25). */
  divisionThreshold: number;
  /** s: selection pressure; fitness f scales the threshold by exp(−s·f) (default 0.1). */
  selectionPressure: number;
  /** Agents unused this long (ms) are archived. Default 90 days. */
  archiveIdleMs: number;
  /** Agents whose fitness falls below this are archived. Default −5. */
  fitnessFloor: number;
}

export const DEFAULT_LIFE_RULES: LifeRules = { divisionThreshold: 25, selectionPressure: 0.1, archiveIdleMs: 90 * 24 * 3600 * 1000, fitnessFloor: -5 };

/**
 * Interactions an agent of fitness f needs before it divides: R·exp(−s·f), so fitter
 * agents divide sooner and unfit ones later, kept within [R/2, 4R] so that no lineage
 * can divide at every turn.
 */
export function interactionsToDivide(fitness: number, rules: Pick<LifeRules, 'divisionThreshold' | 'selectionPressure'> = DEFAULT_LIFE_RULES): number {
  const r = rules.divisionThreshold * Math.exp(-rules.selectionPressure * fitness);
  return Math.max(Math.ceil(rules.divisionThreshold / 2), 1, Math.min(4 * rules.divisionThreshold, Math.round(r)));
}

export type ArchiveReason = 'idle' | 'unfit';

/** Why an alive agent should be archived now, or undefined. */
export function archiveReason(
  agent: { fitness: number; lastActiveAt: number },
  now: number,
  rules: Pick<LifeRules, 'archiveIdleMs' | 'fitnessFloor'> = DEFAULT_LIFE_RULES,
): ArchiveReason | undefined {
  if (agent.fitness < rules.fitnessFloor) return 'unfit';
  if (now - agent.lastActiveAt > rules.archiveIdleMs) return 'idle';
  return undefined;
}

const ROMAN: [number, string][] = [
  [1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I'],
];

export function roman(n: number): string {
  let out = '';
  for (const [value, letters] of ROMAN) for (; n >= value; n -= value) out += letters;
  return out;
}

/** Memories an agent keeps; the least fit and least recently used go first. */
export const MEMORIES_KEPT = 256;
/** Memories a child takes from its parent. */
export const MEMORIES_INHERITED = 64;

/** The longest name an agent may have (a chosen one, or an imported one). */
export const AGENT_NAME_MAX = 60;

/** The stem with the numeral n ("Ada" for 1, "Ada II" for 2; Arabic digits from 4000, past Roman numerals). */
export function numberedName(stem: string, n: number): string {
  if (n <= 1) return stem;
  return n >= 4000 ? `${stem} ${n}` : `${stem} ${roman(n)}`;
}

/**
 * The first free name from `numberedName(stem, first)` upward. Names are unique among living
 * agents, so a second child of Ada is "Ada III" when "Ada II" lives.
 */
export function freeName(stem: string, first: number, taken: (name: string) => boolean): string {
  for (let n = Math.max(1, first); ; n++) {
    const name = numberedName(stem, n);
    if (!taken(name)) return name;
  }
}

/** "Ada III" as its stem and numeral ("Ada", 3); a name without a numeral is its own stem with 1. */
export function parseNumberedName(name: string): { stem: string; n: number } {
  const match = /^(.+) (\d+|[IVXLCDM]+)$/.exec(name);
  if (!match) return { stem: name, n: 1 };
  const [, stem, numeral] = match as unknown as [string, string, string];
  const n = /^\d+$/.test(numeral) ? Number(numeral) : fromRoman(numeral);
  // Only a numeral this module writes counts ("Ada MIX" is a name of its own).
  return n !== undefined && numberedName(stem, n) === name ? { stem, n } : { stem: name, n: 1 };
}

function fromRoman(numeral: string): number | undefined {
  let n = 0;
  let rest = numeral;
  for (const [value, letters] of ROMAN) {
    while (rest.startsWith(letters)) {
      n += value;
      rest = rest.slice(letters.length);
    }
  }
  return rest === '' && n > 0 ? n : undefined;
}

/** The next free name after `name` taken by a living agent: "Ada II" → "Ada III" (or further). */
export function nextFreeName(name: string, taken: (name: string) => boolean): string {
  const { stem, n } = parseNumberedName(name);
  return freeName(stem, n + 1, taken);
}

/** A name for generation `generation` ≥ 1: the root's name and generation + 1 in Roman numerals (the root is "Ada", its child "Ada II"), or the next free numeral. */
export function childName(rootName: string, generation: number, taken: (name: string) => boolean = () => false): string {
  return freeName(rootName, generation + 1, taken);
}

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'th', 'sh', 'br', 'kl', ''];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io'];
const CODAS = ['', '', '', 'n', 'l', 'r', 's', 'x'];

/** A pronounceable name from uniform draws in [0, 1) (two or three syllables). */
export function nameFromDraws(draw: () => number): string {
  const syllables = 2 + Math.floor(draw() * 2);
  let name = '';
  for (let i = 0; i < syllables; i++) {
    name += ONSETS[Math.floor(draw() * ONSETS.length)]! + VOWELS[Math.floor(draw() * VOWELS.length)]!;
    if (i === syllables - 1) name += CODAS[Math.floor(draw() * CODAS.length)]!;
  }
  return name.charAt(0).toUpperCase() + name.slice(1);
}
