// Standalone lorebooks: SillyTavern's world info files ({ entries: { "0": { key, keysecondary,
// comment, content, constant, selective, order, position, disable, … } } }) and lorebooks in the
// card spec's own shape ({ entries: [ { keys, content, insertion_order, … } ] }), read into the
// spec's shape that an agent's card keeps. SillyTavern's fields without a spec counterpart are
// kept under each entry's extensions, as SillyTavern itself does when it exports a card.
import { z } from 'zod';
import { CardError, Lorebook, type LorebookEntry } from './character-card.std';

/** One entry of SillyTavern's world info file (the fields LightSeed reads; the rest are kept). */
const SillyTavernEntry = z.looseObject({
  uid: z.number().optional(),
  key: z.array(z.string()).default([]),
  keysecondary: z.array(z.string()).default([]),
  comment: z.string().default(''),
  content: z.string().default(''),
  constant: z.boolean().default(false),
  selective: z.boolean().default(false),
  order: z.number().default(100),
  // 0 before the character, 1 after it; 2–4 (author's note, at a depth) are placed after it here.
  position: z.number().default(0),
  disable: z.boolean().default(false),
  caseSensitive: z.boolean().nullable().optional(),
  scanDepth: z.number().nullable().optional(),
});

const SillyTavernBook = z.looseObject({
  name: z.string().optional(),
  entries: z.record(z.string(), SillyTavernEntry),
});

const READ_FIELDS = new Set(['uid', 'key', 'keysecondary', 'comment', 'content', 'constant', 'selective', 'order', 'position', 'disable', 'caseSensitive']);

/** A lorebook from a file's JSON value, in the card spec's shape. */
export function lorebookFromJson(value: unknown, name: string): Lorebook {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CardError(`${name} is not a lorebook: it is not a JSON object.`);
  const record = value as Record<string, unknown>;
  if (Array.isArray(record['entries'])) {
    const parsed = Lorebook.safeParse(record);
    if (!parsed.success) throw new CardError(`${name} is a malformed lorebook (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}).`);
    return parsed.data;
  }
  // A card that carries a lorebook is read by `lightseed card import`, not here.
  if (record['spec'] === 'chara_card_v2' || record['spec'] === 'chara_card_v3') throw new CardError(`${name} is a character card, not a lorebook: import it with card import.`);
  const parsed = SillyTavernBook.safeParse(record);
  if (!parsed.success) throw new CardError(`${name} is not a lorebook LightSeed reads: it needs "entries", as SillyTavern's world info files and the card spec's lorebooks have.`);
  const entries = Object.entries(parsed.data.entries)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, e]): LorebookEntry => {
      const rest = Object.fromEntries(Object.entries(e).filter(([k]) => !READ_FIELDS.has(k)));
      return {
        keys: e.key,
        secondary_keys: e.keysecondary,
        content: e.content,
        enabled: !e.disable,
        insertion_order: e.order,
        constant: e.constant,
        selective: e.selective,
        position: e.position === 0 ? 'before_char' : 'after_char',
        ...(e.comment ? { comment: e.comment, name: e.comment } : {}),
        ...(e.uid !== undefined ? { id: e.uid } : {}),
        ...(typeof e.caseSensitive === 'boolean' ? { case_sensitive: e.caseSensitive } : {}),
        extensions: { sillytavern: rest },
      };
    });
  return Lorebook.parse({ ...(parsed.data.name ? { name: parsed.data.name } : {}), entries });
}
