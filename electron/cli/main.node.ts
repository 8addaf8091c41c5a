// The `lightseed` command line: global options, a command registry and help.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BuildPaths } from '../paths/build-paths.node';
import { resolveDataDir } from '../paths/data-dir.node';
import { APP_VERSION } from '../services/app-services.node';
import { UsageError, type CliContext, type Command, type OptionHelp } from './command.node';
import { agentsCommand, exportCommand, importCommand, treeCommand } from './agents.node';
import { assessCommand } from './assess.node';
import { conditionCommand } from './condition.node';
import { genesisCommand } from './genesis.node';
import { harvestCommand } from './harvest.node';
import { generateCommand, modelsCommand } from './models.node';
import { serveCommand } from './serve.node';
import { sourcesCommand } from './sources.node';
import { agentCommand, birthCommand, chatCommand, simulateCommand } from './life.node';

export const commands: readonly Command[] = [serveCommand, sourcesCommand, harvestCommand, genesisCommand, conditionCommand, assessCommand, agentsCommand, birthCommand, agentCommand, chatCommand, simulateCommand, treeCommand, exportCommand, importCommand, modelsCommand, generateCommand];

const globalOptions = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const globalHelp: Record<keyof typeof globalOptions, OptionHelp> = {
  'data-dir': { value: 'DIR', text: 'Folder for the database and captures (default $XDG_DATA_HOME/lightseed)' },
  help: { text: 'Show help (for a command: lightseed COMMAND --help)' },
  version: { text: 'Print the version' },
};

export interface CliIo {
  paths: BuildPaths;
  out?: (line: string) => void;
  err?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Runs the CLI; resolves to the process exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const commandIndex = findCommandIndex(argv);
  const name = commandIndex === -1 ? undefined : argv[commandIndex];
  const command = commands.find((c) => c.name === name);
  try {
    if (name !== undefined && !command) {
      throw new UsageError(`Unknown command ${JSON.stringify(name)}. Commands: ${commands.map((c) => c.name).join(', ')}.`);
    }
    const rest = argv.filter((_, i) => i !== commandIndex);
    const { values, positionals } = parseArgs({
      args: [...rest],
      options: { ...globalOptions, ...command?.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.version) {
      out(APP_VERSION);
      return 0;
    }
    if (values.help || !command) {
      out(command ? commandHelp(command) : generalHelp());
      return values.help || command ? 0 : 2;
    }
    const dataDirFlag = values['data-dir'];
    const context: CliContext = {
      dataDir: resolveDataDir({ flag: typeof dataDirFlag === 'string' ? dataDirFlag : undefined, env: io.env ?? process.env }),
      paths: io.paths,
      interactive: process.stderr.isTTY === true,
      out,
      err,
    };
    return await command.run(values, positionals, context);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`lightseed: ${(error as Error).message}`);
      err(command ? `Usage: lightseed ${command.name} ${command.usage}` : 'Run `lightseed --help` for the commands.');
      return 2;
    }
    err(`lightseed: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

/** Index of the first positional argument, skipping global options and their values. */
function findCommandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (arg === '--data-dir') {
      i++;
      continue;
    }
    if (!arg.startsWith('-')) return i;
  }
  return -1;
}

function optionLines(options: Command['options'], help: Record<string, OptionHelp>): string[] {
  return Object.entries(options).map(([name, option]) => {
    const value = option.type === 'string' ? ` ${help[name]?.value ?? 'VALUE'}` : '';
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${value}`;
    return `  ${flag.padEnd(24)} ${help[name]?.text ?? ''}`;
  });
}

function generalHelp(): string {
  return [
    `LightSeed ${APP_VERSION}: grow offline AI companions from physical noise.`,
    '',
    'Usage: lightseed [--data-dir DIR] COMMAND [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(globalOptions, globalHelp),
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [
    `Usage: lightseed ${command.name} ${command.usage}`,
    '',
    command.summary + '.',
    '',
    'Options:',
    ...optionLines(command.options, command.optionHelp),
    ...optionLines(globalOptions, globalHelp),
  ].join('\n');
}
