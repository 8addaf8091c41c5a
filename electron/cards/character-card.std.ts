// Character cards, the form companions travel in between SillyTavern, Backyard AI, RisuAI and
// KoboldCpp: Character Card V2 (`chara_card_v2`, github.com/malfoyslastname/character-card-spec-v2)
// and V3 (`chara_card_v3`, github.com/kwaroran/character-card-spec-v3), read leniently as those
// apps do (a missing text is empty), with V1's six top-level fields upgraded. Unknown keys are
// kept everywhere (both specs require it) so a card written back loses nothing.
import { z } from 'zod';

const text = z.string().default('');
const texts = z.array(z.string()).default([]);
const extensions = z.record(z.string(), z.unknown()).default({});

export const LorebookEntry = z.looseObject({
  keys: texts,
  content: text,
  extensions,
  enabled: z.boolean().default(true),
  insertion_order: z.number().default(100),
  case_sensitive: z.boolean().optional(),
  name: z.string().optional(),
  priority: z.number().optional(),
  id: z.union([z.number(), z.string()]).optional(),
  comment: z.string().optional(),
  selective: z.boolean().optional(),
  secondary_keys: z.array(z.string()).optional(),
  constant: z.boolean().optional(),
  position: z.enum(['before_char', 'after_char']).optional(),
  use_regex: z.boolean().optional(),
});
export type LorebookEntry = z.infer<typeof LorebookEntry>;

export const Lorebook = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  scan_depth: z.number().optional(),
  token_budget: z.number().optional(),
  recursive_scanning: z.boolean().optional(),
  extensions,
  entries: z.array(LorebookEntry).default([]),
});
export type Lorebook = z.infer<typeof Lorebook>;

/** The card's data (V3's shape; a V2 card is the same without V3's additions). */
export const CardData = z.looseObject({
  name: z.string().min(1, 'a card needs a name'),
  description: text,
  personality: text,
  scenario: text,
  first_mes: text,
  mes_example: text,
  creator_notes: text,
  system_prompt: text,
  post_history_instructions: text,
  alternate_greetings: texts,
  character_book: Lorebook.optional(),
  tags: texts,
  creator: text,
  character_version: text,
  extensions,
  // V3
  assets: z.array(z.looseObject({ type: z.string(), uri: z.string(), name: z.string(), ext: z.string() })).optional(),
  nickname: z.string().optional(),
  creator_notes_multilingual: z.record(z.string(), z.string()).optional(),
  source: z.array(z.string()).optional(),
  group_only_greetings: texts,
  creation_date: z.number().optional(),
  modification_date: z.number().optional(),
});
export type CardData = z.infer<typeof CardData>;

export type CardSpec = 'chara_card_v1' | 'chara_card_v2' | 'chara_card_v3';

export interface CharacterCard {
  /** The spec the card was written in (V1 cards have none: their fields are upgraded). */
  spec: CardSpec;
  data: CardData;
}

export class CardError extends Error {
  override readonly name = 'CardError';
}

const V1_FIELDS = ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example'] as const;

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}

/** A card from its JSON value: V3, V2, or V1 (top-level fields, no spec). */
export function cardFromJson(value: unknown): CharacterCard {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CardError('The card is not a JSON object.');
  const record = value as Record<string, unknown>;
  const spec = record['spec'];
  if (spec === 'chara_card_v2' || spec === 'chara_card_v3') {
    const parsed = CardData.safeParse(record['data']);
    if (!parsed.success) throw new CardError(`The ${spec === 'chara_card_v3' ? 'V3' : 'V2'} card is malformed (${describeIssues(parsed.error, 'data')}).`);
    return { spec, data: parsed.data };
  }
  if (typeof spec === 'string') throw new CardError(`The card's spec is "${spec}"; LightSeed reads chara_card_v2 and chara_card_v3 (and V1 cards, which have no spec).`);
  if (typeof record['name'] === 'string' && V1_FIELDS.some((field) => field !== 'name' && typeof record[field] === 'string')) {
    const v1 = Object.fromEntries(V1_FIELDS.filter((field) => typeof record[field] === 'string').map((field) => [field, record[field]]));
    const parsed = CardData.safeParse(v1);
    if (!parsed.success) throw new CardError(`The V1 card is malformed (${describeIssues(parsed.error, '')}).`);
    return { spec: 'chara_card_v1', data: parsed.data };
  }
  throw new CardError('This JSON is not a character card: it has neither a spec (chara_card_v2 or chara_card_v3) nor V1 fields (name, description, first_mes…).');
}

/** A card from JSON text (a UTF-8 BOM allowed). */
export function cardFromJsonText(json: string, where = 'The card'): CharacterCard {
  let value: unknown;
  try {
    value = JSON.parse(json.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CardError(`${where} is not valid JSON (${(error as Error).message}).`);
  }
  return cardFromJson(value);
}

/** The card as V3 JSON (every unknown key kept). */
export function cardToV3Json(data: CardData): { spec: 'chara_card_v3'; spec_version: '3.0'; data: CardData } {
  return { spec: 'chara_card_v3', spec_version: '3.0', data };
}

/** The card as V2 JSON: V3's own fields left out, for readers that only know V2 (the `chara` chunk). */
export function cardToV2Json(data: CardData): { spec: 'chara_card_v2'; spec_version: '2.0'; data: Record<string, unknown> } {
  const { assets, nickname, creator_notes_multilingual, source, group_only_greetings, creation_date, modification_date, ...v2 } = data;
  void [assets, nickname, creator_notes_multilingual, source, group_only_greetings, creation_date, modification_date];
  return { spec: 'chara_card_v2', spec_version: '2.0', data: v2 };
}

/**
 * The macros every card app replaces: {{char}} (and <BOT>) with the character's name, {{user}}
 * (and <USER>) with the user's, case-insensitively as SillyTavern does.
 */
export function expandMacros(template: string, names: { char: string; user: string }): string {
  return template.replace(/\{\{char\}\}|<BOT>/gi, names.char).replace(/\{\{user\}\}|<USER>/gi, names.user);
}
