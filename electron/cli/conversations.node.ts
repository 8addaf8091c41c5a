// Conversations on the command line: list them, and export one as Markdown or JSON (one branch
// or the whole tree) to a file or to standard output.
import { writeFile } from 'node:fs/promises';
import { AppServices } from '../services/app-services.node';
import { UsageError, type Command } from './command.node';

export const conversationsCommand: Command = {
  name: 'conversations',
  summary: 'List conversations, or export one as Markdown or JSON (a branch or the whole tree)',
  usage: '[list] [--json] | export N [FILE] [--tree] [--leaf MESSAGE] [--format markdown|json]',
  options: { json: { type: 'boolean' }, tree: { type: 'boolean' }, leaf: { type: 'string' }, format: { type: 'string' } },
  optionHelp: {
    json: { text: 'list: print JSON' },
    tree: { text: 'export: every branch (regenerations, council answers), not only one' },
    leaf: { value: 'MESSAGE', text: 'export: the branch ending at this message (default: the newest)' },
    format: { value: 'FORMAT', text: 'export: markdown (default) or json' },
  },
  async run(values, [action = 'list', id, file], context) {
    if (action !== 'list' && action !== 'export') throw new UsageError('conversations takes list or export: lightseed conversations export 3 chat.md');
    const format = values.format ?? 'markdown';
    if (format !== 'markdown' && format !== 'json') throw new UsageError('--format is markdown or json.');
    const number = (text: string | undefined, what: string) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} is a number: \`lightseed conversations\` lists them.`);
      return n;
    };
    const conversationId = action === 'export' ? number(id, 'The conversation') : 0;
    const leafId = typeof values.leaf === 'string' ? number(values.leaf, '--leaf') : undefined;
    await using services = await AppServices.create({ dataDir: context.dataDir, mode: 'cli', heartbeatMs: 0, paths: context.paths });
    if (action === 'list') {
      const list = services.agents.conversations.list();
      if (values.json) context.out(JSON.stringify(list, null, 2));
      else if (list.length === 0) context.out('No conversations yet: `lightseed chat AGENT` starts one.');
      else for (const c of list) context.out(`#${c.id}  ${new Date(c.updatedAt).toISOString().slice(0, 16).replace('T', ' ')}  ${String(c.messages).padStart(4)} messages  ${c.title}`);
      return 0;
    }
    const exported = services.agents.conversations.export({ conversationId, scope: values.tree ? 'tree' : 'branch', format, ...(leafId !== undefined ? { leafId } : {}) });
    if (!file) {
      context.stdout.write(exported.text);
      return 0;
    }
    await writeFile(file, exported.text, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new UsageError(`${file} already exists: name a new file for the conversation.`);
      throw error;
    });
    context.out(`Wrote conversation #${conversationId} (${values.tree ? 'the whole tree' : 'one branch'}, ${format}) to ${file}.`);
    return 0;
  },
};
