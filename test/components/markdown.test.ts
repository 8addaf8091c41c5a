// Chat messages' Markdown, parsed and mounted in Chromium: the elements it makes, and that
// HTML in a message is only ever text (no element, no handler, no request).
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import Markdown from '../../renderer/src/components/Markdown.svelte';
import { parseInline, parseMarkdown } from '../../renderer/src/lib/markdown/markdown.std';

let mounted: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = undefined;
  document.body.innerHTML = '';
});

function render(text: string): HTMLElement {
  mounted = mount(Markdown, { target: document.body, props: { text } });
  flushSync();
  return document.querySelector('.markdown')!;
}

describe('Markdown in chat messages', () => {
  it('shows HTML as the characters it is: no element, no handler runs', async () => {
    const fired: string[] = [];
    (window as unknown as { pwned: (why: string) => void }).pwned = (why) => fired.push(why);
    const hostile = '<img src=x onerror="pwned(\'img\')"> <script>pwned("script")</script> <b onclick="pwned(\'b\')">bold?</b> [link](javascript:pwned("link"))';
    const root = render(hostile);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(root.querySelectorAll('img, script, b, a, iframe').length).toBe(0);
    expect(root.textContent).toBe(hostile);
    expect(fired).toEqual([]);
  });

  it('makes emphasis, strong, code, lists, quotes and code blocks', () => {
    const root = render('*waves* and **smiles**, `x = 1`, ~~no~~\n\n- one\n- two with _em_\n\n1. first\n2. second\n\n> quoted\n\n```js\nlet a = "<b>";\n```');
    expect(root.querySelector('em')!.textContent).toBe('waves');
    expect(root.querySelector('strong')!.textContent).toBe('smiles');
    expect(root.querySelector('p > code')!.textContent).toBe('x = 1');
    expect(root.querySelector('s')!.textContent).toBe('no');
    expect([...root.querySelectorAll('ul > li')].map((li) => li.textContent)).toEqual(['one', 'two with em']);
    expect([...root.querySelectorAll('ol > li')].map((li) => li.textContent)).toEqual(['first', 'second']);
    expect(root.querySelector('blockquote')!.textContent).toBe('quoted');
    expect(root.querySelector('pre > code')!.textContent).toBe('let a = "<b>";');
    expect(root.querySelector('pre > code')!.getAttribute('data-language')).toBe('js');
  });
});

describe('the Markdown parser', () => {
  it('leaves what is not Markdown as text, character for character', () => {
    for (const text of ['2 * 3 * 4', 'snake_case_name', 'a ** b', 'unclosed `code', '* not a list item without text*', 'x_y_ and _ z', '\\*escaped\\*']) {
      const inline = parseInline(text);
      const flat = (nodes: ReturnType<typeof parseInline>): string => nodes.map((n) => ('text' in n ? n.text : 'children' in n ? flat(n.children) : '\n')).join('');
      expect(flat(inline), text).toBe(text.replace(/\\\*/g, '*'));
    }
    expect(parseInline('snake_case_name')).toEqual([{ kind: 'text', text: 'snake_case_name' }]);
    expect(parseInline('2 * 3 * 4')).toEqual([{ kind: 'text', text: '2 * 3 * 4' }]);
  });

  it('reads a long answer full of unmatched asterisks, underscores and tildes whole, each opener searched once', () => {
    // 100,000 characters: a search from every opener to the end took about 17 s here, within the test's 5 s limit now.
    for (const unit of ['*a ', '_x ', '~~a ', '**a ']) {
      const text = unit.repeat(Math.ceil(100_000 / unit.length));
      const flat = (nodes: ReturnType<typeof parseInline>): string => nodes.map((n) => ('text' in n ? n.text : 'children' in n ? flat(n.children) : '\n')).join('');
      expect(flat(parseInline(text)), unit).toBe(text);
    }
    expect(parseInline('`a` '.repeat(25_000)).filter((n) => n.kind === 'code')).toHaveLength(25_000);
  });

  it('nests emphasis and keeps code spans literal', () => {
    expect(parseInline('***both***')).toEqual([{ kind: 'strong', children: [{ kind: 'em', children: [{ kind: 'text', text: 'both' }] }] }]);
    expect(parseInline('`**not bold**`')).toEqual([{ kind: 'code', text: '**not bold**' }]);
    expect(parseInline('*a `*` b*')).toEqual([{ kind: 'em', children: [{ kind: 'text', text: 'a ' }, { kind: 'code', text: '*' }, { kind: 'text', text: ' b' }] }]);
  });

  it('reads headings, rules, an unclosed fence to the end, and lists after a paragraph', () => {
    expect(parseMarkdown('# Title\ntext\n\n---\n```\ncode')).toEqual([
      { kind: 'heading', level: 1, children: [{ kind: 'text', text: 'Title' }] },
      { kind: 'paragraph', children: [{ kind: 'text', text: 'text' }] },
      { kind: 'rule' },
      { kind: 'code', language: '', text: 'code' },
    ]);
    expect(parseMarkdown('Shopping:\n- milk\n- bread').map((b) => b.kind)).toEqual(['paragraph', 'list']);
    expect(parseMarkdown('In 1984.\n2. not a list')).toHaveLength(1);
  });
});
