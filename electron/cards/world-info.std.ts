// World info (a card's character_book, or a standalone lorebook): entries whose keys appear in
// the recent conversation are put into the prompt, as the V2 spec and SillyTavern describe it.
// - An enabled entry activates when one of its keys is in the last `scan_depth` messages
//   (whole words, case-insensitive unless case_sensitive; `use_regex` keys are /patterns/);
//   a `selective` entry also needs one of its secondary keys; a `constant` one always activates.
// - With `recursive_scanning`, activated entries' text is scanned too (until nothing new).
// - The token budget keeps the highest `priority` first (then the lower insertion_order);
//   kept entries go in by `insertion_order`, before or after the character (`position`).
// - V3 decorators on an entry's first lines (`@@activate`, `@@dont_activate`, `@@scan_depth N`,
//   `@@position before_desc|after_desc`) are honoured; other `@@` lines are left out of the text.
import { expandMacros, type Lorebook, type LorebookEntry } from './character-card.std';

export interface WorldInfoOptions {
  /** Messages of the conversation, oldest first. */
  messages: readonly string[];
  /** Tokens in a text (the model's tokenizer, or an estimate). */
  countTokens: (text: string) => number;
  names: { char: string; user: string };
  /** Used when the book sets none. */
  defaultScanDepth?: number;
  defaultTokenBudget?: number;
}

export interface ActivatedEntry {
  /** The entry's name, comment or first key, for "world info used: …". */
  label: string;
  text: string;
  position: 'before_char' | 'after_char';
  /** Why it came in: a key it matched, or "constant". */
  reason: string;
}

export interface WorldInfoSelection {
  before: string[];
  after: string[];
  used: ActivatedEntry[];
  /** Entries that matched but did not fit the token budget. */
  leftOut: string[];
}

export const DEFAULT_SCAN_DEPTH = 4;

/**
 * Tokens of a text without the model's tokenizer: about four characters a token, the estimate
 * SillyTavern falls back on. The budget is a bound on prompt growth, not an exact count.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
export const DEFAULT_TOKEN_BUDGET = 512;

interface Decorated {
  text: string;
  activate?: boolean;
  dontActivate?: boolean;
  scanDepth?: number;
  position?: 'before_char' | 'after_char';
}

/** An entry's content without its leading `@@` decorator lines, and what they asked. */
export function readDecorators(content: string): Decorated {
  const lines = content.split(/\r?\n/);
  const out: Decorated = { text: '' };
  let i = 0;
  for (; i < lines.length && lines[i]!.startsWith('@@'); i++) {
    const [name, value] = lines[i]!.slice(2).trim().split(/\s+/, 2) as [string, string | undefined];
    if (name === 'activate') out.activate = true;
    else if (name === 'dont_activate') out.dontActivate = true;
    else if (name === 'scan_depth' && value !== undefined && /^\d+$/.test(value)) out.scanDepth = Number(value);
    else if (name === 'position' && (value === 'before_desc' || value === 'after_desc')) out.position = value === 'before_desc' ? 'before_char' : 'after_char';
  }
  out.text = lines.slice(i).join('\n').trim();
  return out;
}

const WORD = /[\p{L}\p{N}_]/u;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `key` occurs in `text` as the entry asks (a whole word or phrase, or a /regex/). */
export function keyMatches(key: string, text: string, entry: Pick<LorebookEntry, 'case_sensitive' | 'use_regex'>): boolean {
  const trimmed = key.trim();
  if (!trimmed) return false;
  if (entry.use_regex) {
    const literal = /^\/(.+)\/([a-z]*)$/s.exec(trimmed);
    try {
      return new RegExp(literal ? literal[1]! : trimmed, literal ? literal[2]!.replace(/[gy]/g, '') : entry.case_sensitive ? '' : 'i').test(text);
    } catch {
      return false; // a pattern JavaScript cannot read matches nothing, as in SillyTavern
    }
  }
  // Whole words: a key that starts or ends with a letter or digit must not continue a longer word.
  const start = WORD.test(trimmed[0]!) ? '(?<![\\p{L}\\p{N}_])' : '';
  const end = WORD.test(trimmed.at(-1)!) ? '(?![\\p{L}\\p{N}_])' : '';
  return new RegExp(`${start}${escape(trimmed)}${end}`, entry.case_sensitive ? 'u' : 'iu').test(text);
}

function labelOf(entry: LorebookEntry): string {
  return entry.name?.trim() || entry.comment?.trim() || entry.keys[0]?.trim() || (entry.constant ? 'constant entry' : 'entry');
}

/** The entries of `book` the conversation activates, within the book's token budget. */
export function selectWorldInfo(book: Lorebook, options: WorldInfoOptions): WorldInfoSelection {
  const depth = book.scan_depth ?? options.defaultScanDepth ?? DEFAULT_SCAN_DEPTH;
  const budget = book.token_budget ?? options.defaultTokenBudget ?? DEFAULT_TOKEN_BUDGET;
  const entries = book.entries
    .map((entry, index) => ({ entry, index, decorated: readDecorators(entry.content) }))
    .filter(({ entry, decorated }) => entry.enabled && !decorated.dontActivate && decorated.text);
  const scanned = (scanDepth: number) => options.messages.slice(-Math.max(0, scanDepth)).join('\n');
  const active = new Map<number, string>();
  let extra = '';
  for (let pass = 0; pass <= entries.length; pass++) {
    let added = false;
    for (const { entry, index, decorated } of entries) {
      if (active.has(index)) continue;
      let reason: string | undefined;
      if (entry.constant || decorated.activate) reason = 'constant';
      else {
        const text = `${scanned(decorated.scanDepth ?? depth)}\n${extra}`;
        const key = entry.keys.find((k) => keyMatches(k, text, entry));
        const secondary = !entry.selective || !entry.secondary_keys?.length || entry.secondary_keys.some((k) => keyMatches(k, text, entry));
        if (key !== undefined && secondary) reason = `“${key}”`;
      }
      if (reason === undefined) continue;
      active.set(index, reason);
      added = true;
      if (book.recursive_scanning) extra += `\n${decorated.text}`;
    }
    if (!added || !book.recursive_scanning) break;
  }
  const activated = entries.filter(({ index }) => active.has(index));
  // The budget keeps the most important first: higher priority, then earlier insertion.
  const byImportance = [...activated].sort((a, b) => (b.entry.priority ?? 0) - (a.entry.priority ?? 0) || a.entry.insertion_order - b.entry.insertion_order || a.index - b.index);
  let spent = 0;
  const kept = new Set<number>();
  const leftOut: string[] = [];
  for (const item of byImportance) {
    const cost = options.countTokens(item.decorated.text);
    if (spent + cost > budget) {
      leftOut.push(labelOf(item.entry));
      continue;
    }
    spent += cost;
    kept.add(item.index);
  }
  const used = activated
    .filter(({ index }) => kept.has(index))
    .sort((a, b) => a.entry.insertion_order - b.entry.insertion_order || a.index - b.index)
    .map(({ entry, index, decorated }) => ({
      label: labelOf(entry),
      text: expandMacros(decorated.text, options.names),
      position: decorated.position ?? entry.position ?? 'before_char',
      reason: active.get(index)!,
    }));
  return {
    before: used.filter((u) => u.position === 'before_char').map((u) => u.text),
    after: used.filter((u) => u.position === 'after_char').map((u) => u.text),
    used,
    leftOut,
  };
}
