// The Markdown chat messages use, parsed into a tree the Markdown component renders as Svelte
// elements and text nodes: no HTML is ever produced, so `<img onerror=…>` in a message is shown
// as the characters it is. Blocks: paragraphs, fenced code (```), headings (#), lists (-, *, +,
// 1.), block quotes (>), rules (---). Inlines: `code`, **strong**, *emphasis* / _emphasis_,
// ~~strike~~, and hard line breaks. Links stay text (a chat with a local model has no need to
// make anything clickable). What is not Markdown stays text, character for character.

export type Inline = { kind: 'text'; text: string } | { kind: 'code'; text: string } | { kind: 'strong' | 'em' | 'strike'; children: Inline[] } | { kind: 'break' };

export type Block =
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'heading'; level: number; children: Inline[] }
  | { kind: 'code'; language: string; text: string }
  | { kind: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { kind: 'quote'; children: Block[] }
  | { kind: 'rule' };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const ITEM = /^( {0,3})([-*+]|(\d{1,9})[.)])\s+(.*)$/;

/** Blocks of a Markdown text. */
export function parseMarkdown(text: string): Block[] {
  return parseBlocks(text.replace(/\r\n?/g, '\n').split('\n'));
}

function parseBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', children: parseInline(paragraph.join('\n')) });
    paragraph = [];
  };
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const close = new RegExp(`^ {0,3}${fence[1]![0] === '`' ? '`' : '~'}{${fence[1]!.length},}\\s*$`);
      const body: string[] = [];
      for (i++; i < lines.length && !close.test(lines[i]!); i++) body.push(lines[i]!);
      i++; // the closing fence (or the end: an unclosed fence runs to the end, as CommonMark says)
      blocks.push({ kind: 'code', language: fence[2]!, text: body.join('\n') });
      continue;
    }
    if (!line.trim()) {
      flush();
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]!.length, children: parseInline(heading[2]!) });
      i++;
      continue;
    }
    if (RULE.test(line) && !(paragraph.length && /^ {0,3}-+\s*$/.test(line))) {
      flush();
      blocks.push({ kind: 'rule' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      flush();
      const body: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i]!); i++) body.push(QUOTE.exec(lines[i]!)![1]!);
      blocks.push({ kind: 'quote', children: parseBlocks(body) });
      continue;
    }
    const item = ITEM.exec(line);
    if (item && (paragraph.length === 0 || item[3] === undefined || item[3] === '1')) {
      flush();
      const ordered = item[3] !== undefined;
      const items: Block[][] = [];
      let current: string[] = [];
      const indent = (item[1]!.length + item[2]!.length + 1);
      for (; i < lines.length; i++) {
        const next = ITEM.exec(lines[i]!);
        if (next && next[1]!.length < indent && (next[3] !== undefined) === ordered) {
          if (current.length) items.push(parseBlocks(current));
          current = [next[4]!];
        } else if (!lines[i]!.trim()) {
          if (i + 1 < lines.length && (/^\s/.test(lines[i + 1]!) || ITEM.test(lines[i + 1]!))) current.push('');
          else break;
        } else if (/^\s/.test(lines[i]!) || !ITEM.test(lines[i]!)) {
          // A continuation: indented, or a lazy line of the item's paragraph.
          if (!/^\s/.test(lines[i]!) && (FENCE.test(lines[i]!) || HEADING.test(lines[i]!) || QUOTE.test(lines[i]!))) break;
          current.push(lines[i]!.replace(/^ {1,4}/, ''));
        } else break;
      }
      items.push(parseBlocks(current));
      blocks.push({ kind: 'list', ordered, start: ordered ? Number(item[3]) : 1, items });
      continue;
    }
    paragraph.push(line);
    i++;
  }
  flush();
  return blocks;
}

const DELIMITERS: { open: string; kind: 'strong' | 'em' | 'strike' }[] = [
  { open: '**', kind: 'strong' },
  { open: '__', kind: 'strong' },
  { open: '~~', kind: 'strike' },
  { open: '*', kind: 'em' },
  { open: '_', kind: 'em' },
];

/** Inline elements of a paragraph's text. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const push = (node: Inline) => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
    out.push(node);
  };
  // Where a search for a closer already failed, by delimiter (or backtick run length): a later
  // opener of the same kind fails too, so each is searched once and a model's page of unmatched
  // asterisks or backticks stays linear instead of scanning to the end from every opener.
  const noCloserFrom = new Map<string, number>();
  const closer = (key: string, from: number, search: () => number) => {
    if ((noCloserFrom.get(key) ?? Infinity) <= from) return -1;
    const end = search();
    if (end < 0) noCloserFrom.set(key, from);
    return end;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length && /[\\`*_~#>\-+.!|[\]()]/.test(text[i + 1]!)) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      // Two trailing spaces or a backslash make a hard break; a plain newline is a soft one (kept as a break in chat).
      plain = plain.replace(/ +$/, '');
      push({ kind: 'break' });
      i++;
      continue;
    }
    if (c === '`') {
      let length = 1;
      while (text[i + length] === '`') length++;
      const run = '`'.repeat(length);
      const end = closer(run, i + length, () => text.indexOf(run, i + length));
      if (end > 0) {
        push({ kind: 'code', text: text.slice(i + run.length, end).replace(/^ (.*) $/s, '$1') });
        i = end + run.length;
        continue;
      }
    }
    const delimiter = DELIMITERS.find((d) => text.startsWith(d.open, i));
    if (delimiter) {
      const after = text[i + delimiter.open.length];
      const before = text[i - 1];
      // An opener is followed by a non-space; `_` inside a word (snake_case) opens nothing.
      const canOpen = after !== undefined && !/\s/.test(after) && !(delimiter.open[0] === '_' && before !== undefined && /[\p{L}\p{N}]/u.test(before));
      const from = i + delimiter.open.length;
      const end = canOpen ? closer(delimiter.open, from, () => findCloser(text, from, delimiter.open)) : -1;
      if (end > 0) {
        push({ kind: delimiter.kind, children: parseInline(text.slice(i + delimiter.open.length, end)) });
        i = end + delimiter.open.length;
        continue;
      }
      plain += delimiter.open;
      i += delimiter.open.length;
      continue;
    }
    plain += c;
    i++;
  }
  if (plain) out.push({ kind: 'text', text: plain });
  return out;
}

/** Where the closing delimiter of a span opened before `from` is: preceded by a non-space, not inside code. */
function findCloser(text: string, from: number, delimiter: string): number {
  for (let j = from; j < text.length; j++) {
    if (text[j] === '\\') {
      j++;
      continue;
    }
    if (text[j] === '`') {
      const run = /^`+/.exec(text.slice(j))![0];
      const end = text.indexOf(run, j + run.length);
      if (end > 0) j = end + run.length - 1;
      continue;
    }
    if (text.startsWith(delimiter, j) && j > from && !/\s/.test(text[j - 1]!)) {
      // In a longer run (`***` closing `**` and `*`), the outer span closes at the run's end.
      let runEnd = j;
      while (text[runEnd] === delimiter[0]) runEnd++;
      if (delimiter.length === 2 && runEnd - j > 2) j = runEnd - 2;
      // `**` is not the end of `*`: a single delimiter skips a doubled one.
      if (delimiter.length === 1 && text[j + 1] === delimiter) {
        const inner = findCloser(text, j + 2, delimiter + delimiter);
        if (inner > 0) {
          j = inner + 1;
          continue;
        }
      }
      const after = text[j + delimiter.length];
      if (delimiter[0] === '_' && after !== undefined && /[\p{L}\p{N}]/u.test(after)) continue;
      return j;
    }
  }
  return -1;
}
