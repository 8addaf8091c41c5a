// World info selection: keys in the recent conversation activate entries, within a token budget,
// in insertion order, before or after the character, as the V2 spec and SillyTavern do it.
import { describe, expect, it } from 'vitest';
import { Lorebook } from '../../electron/cards/character-card.std';
import { estimateTokens, keyMatches, readDecorators, selectWorldInfo } from '../../electron/cards/world-info.std';

const names = { char: 'Maren', user: 'Sam' };
const book = (entries: object[], extra: object = {}) => Lorebook.parse({ entries, ...extra });
const select = (b: Lorebook, messages: string[], budget?: number) => selectWorldInfo(b, { messages, countTokens: estimateTokens, names, ...(budget ? { defaultTokenBudget: budget } : {}) });
const texts = (b: Lorebook, messages: string[], budget?: number) => select(b, messages, budget).used.map((u) => u.text);

describe('keys', () => {
  it('match whole words and phrases, case-insensitively unless asked, and /regex/ keys', () => {
    expect(keyMatches('ferry', 'The Ferry left.', {})).toBe(true);
    expect(keyMatches('ferry', 'a ferryman', {})).toBe(false);
    expect(keyMatches('night ferry', 'the NIGHT FERRY', {})).toBe(true);
    expect(keyMatches('Ferry', 'the ferry', { case_sensitive: true })).toBe(false);
    expect(keyMatches('C++', 'I write C++ daily', {})).toBe(true);
    expect(keyMatches('Ærø', 'ferry to ærø?', {})).toBe(true);
    expect(keyMatches('/light(house|ship)/i', 'an old LIGHTSHIP', { use_regex: true })).toBe(true);
    expect(keyMatches('/(/', 'anything', { use_regex: true })).toBe(false);
    expect(keyMatches('  ', 'anything', {})).toBe(false);
  });
});

describe('selection', () => {
  const harbour = book([
    { keys: ['lighthouse'], content: 'The lighthouse is dark.', insertion_order: 10 },
    { keys: ['ferry'], secondary_keys: ['night'], selective: true, content: 'The night ferry skips Gull Rock.', insertion_order: 20 },
    { keys: [], constant: true, content: '{{char}} lives in Saltmere, {{user}}.', insertion_order: 1 },
    { keys: ['storm'], content: 'Storms come from the west.', insertion_order: 5, enabled: false },
    { keys: ['quay'], content: 'The quay floods at spring tide.', insertion_order: 30, position: 'after_char' },
  ]);

  it('activates an entry when its key is mentioned and not otherwise; constant ones always; disabled ones never', () => {
    expect(texts(harbour, ['Hello there.'])).toEqual(['Maren lives in Saltmere, Sam.']);
    expect(texts(harbour, ['Is the lighthouse working?', 'A storm is coming.'])).toEqual(['Maren lives in Saltmere, Sam.', 'The lighthouse is dark.']);
    expect(select(harbour, ['Is the lighthouse working?']).used[1]).toMatchObject({ label: 'lighthouse', reason: '“lighthouse”' });
  });

  it('needs a secondary key for a selective entry', () => {
    expect(texts(harbour, ['When is the ferry?'])).not.toContain('The night ferry skips Gull Rock.');
    expect(texts(harbour, ['When is the ferry?', 'At night?'])).toContain('The night ferry skips Gull Rock.');
  });

  it('scans only the last scan_depth messages', () => {
    const deep = ['lighthouse', 'one', 'two', 'three', 'four'];
    expect(texts(harbour, deep)).not.toContain('The lighthouse is dark.');
    expect(texts(book(harbour.entries, { scan_depth: 5 }), deep)).toContain('The lighthouse is dark.');
  });

  it('puts entries before or after the character', () => {
    const chosen = select(harbour, ['The quay and the lighthouse.']);
    expect(chosen.before).toEqual(['Maren lives in Saltmere, Sam.', 'The lighthouse is dark.']);
    expect(chosen.after).toEqual(['The quay floods at spring tide.']);
  });

  it('keeps the highest priority within the token budget and inserts by insertion order', () => {
    const crowded = book([
      { keys: ['a'], content: 'x'.repeat(40), insertion_order: 3, priority: 1, name: 'low' },
      { keys: ['a'], content: 'y'.repeat(40), insertion_order: 2, priority: 9, name: 'high' },
      { keys: ['a'], content: 'z'.repeat(40), insertion_order: 1, priority: 5, name: 'middle' },
    ]);
    const chosen = select(crowded, ['a'], 20); // 10 tokens each: two fit
    expect(chosen.used.map((u) => u.label)).toEqual(['middle', 'high']);
    expect(chosen.leftOut).toEqual(['low']);
  });

  it('honours V3 decorators and leaves them out of the text', () => {
    expect(readDecorators('@@depth 2\n@@position after_desc\nThe harbourmaster arrived in spring.')).toEqual({ text: 'The harbourmaster arrived in spring.', position: 'after_char' });
    const decorated = book([
      { keys: ['never'], content: '@@dont_activate\nhidden', insertion_order: 1 },
      { keys: ['nothing'], content: '@@activate\nalways here', insertion_order: 2 },
      { keys: ['tide'], content: '@@scan_depth 1\nonly the last message', insertion_order: 3 },
    ]);
    expect(texts(decorated, ['never', 'hello'])).toEqual(['always here']);
    expect(texts(decorated, ['tide', 'hello'])).toEqual(['always here']);
    expect(texts(decorated, ['hello', 'tide'])).toEqual(['always here', 'only the last message']);
  });

  it('scans activated entries again when the book asks for recursion', () => {
    const chain = [
      { keys: ['keeper'], content: 'The keeper rows to the lighthouse.', insertion_order: 1 },
      { keys: ['lighthouse'], content: 'The lighthouse is dark.', insertion_order: 2 },
    ];
    expect(texts(book(chain), ['Who is the keeper?'])).toEqual(['The keeper rows to the lighthouse.']);
    expect(texts(book(chain, { recursive_scanning: true }), ['Who is the keeper?'])).toEqual(['The keeper rows to the lighthouse.', 'The lighthouse is dark.']);
  });
});
