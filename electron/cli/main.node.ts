// The `lightseed` command line: global options, a command registry and help.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BuildPaths } from '../paths/build-paths.node';
import { resolveDataDir } from '../paths/data-dir.node';
import { APP_VERSION } from '../services/app-services.node';
import { closestName } from './closest-name.std';
import { failureMessage } from './failure-message.node';
import { StandardOutput } from './standard-output.node';
import { UsageError, type CliContext, type Command, type OptionHelp } from './command.node';
import { agentsCommand, exportCommand, importCommand, treeCommand } from './agents.node';
import { assessCommand } from './assess.node';
import { conditionCommand } from './condition.node';
import { dbCommand } from './db.node';
import { genesisCommand } from './genesis.node';
import { harvestCommand } from './harvest.node';
import { generateCommand, modelsCommand } from './models.node';
import { serveCommand } from './serve.node';
import { sourcesCommand } from './sources.node';
import { agentCommand, birthCommand, chatCommand, simulateCommand } from './life.node';
import { cardCommand } from './cards.node';
import { conversationsCommand } from './conversations.node';
import { identityCommand } from './identity.node';
import { swarmCommand } from './swarm.node';

export const commands: readonly Command[] = [serveCommand, sourcesCommand, harvestCommand, genesisCommand, conditionCommand, assessCommand, agentsCommand, birthCommand, agentCommand, chatCommand, simulateCommand, treeCommand, exportCommand, importCommand, cardCommand, conversationsCommand, identityCommand, swarmCommand, modelsCommand, generateCommand, dbCommand];

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
  stdout?: NodeJS.WritableStream;
  err?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Runs the CLI; resolves to the process exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const stdout = new StandardOutput(io.stdout ?? process.stdout);
  const out = (line: string) => stdout.write(`${line}\n`);
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  let dataDir: string | undefined;
  const commandIndex = findCommandIndex(argv);
  const name = commandIndex === -1 ? undefined : argv[commandIndex];
  const command = commands.find((c) => c.name === name);
  try {
    if (name !== undefined && !command) {
      const meant = closestName(name, commands.map((c) => c.name));
      throw new UsageError(`unknown command ${name}${meant ? `; did you mean ${meant}?` : ''} Commands: ${commands.map((c) => c.name).join(', ')}.`);
    }
    const rest = argv.filter((_, i) => i !== commandIndex);
    const options = { ...globalOptions, ...command?.options };
    const { values, positionals } = parseOptions(rest, options);
    if (values.version) {
      out(APP_VERSION);
      return 0;
    }
    if (values.help || !command) {
      out(command ? commandHelp(command) : generalHelp());
      return values.help || command ? 0 : 2;
    }
    const dataDirFlag = values['data-dir'];
    dataDir = resolveDataDir({ flag: typeof dataDirFlag === 'string' ? dataDirFlag : undefined, env: io.env ?? process.env });
    const context: CliContext = {
      dataDir,
      paths: io.paths,
      interactive: process.stderr.isTTY === true,
      out,
      err,
      stdout,
    };
    const status = await command.run(values, positionals, context);
    await new Promise((resolve) => setImmediate(resolve)); // a write's error arrives after the write
    return finished(stdout, status, err);
  } catch (error) {
    if (!stdout.open) return finished(stdout, 1, err);
    if (error instanceof UsageError) {
      err(`lightseed: ${error.message}`);
      err(command ? `Usage: lightseed ${command.name} ${command.usage}` : 'Run `lightseed --help` for the commands.');
      return 2;
    }
    err(`lightseed: ${failureMessage(error, dataDir)}`);
    return 1;
  }
}

/** node:util's parseArgs, with its errors said as a Unix tool says them ("unknown option --sorce; did you mean --source?"). */
function parseOptions(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /'(-[^']*)'/.exec((error as Error).message)?.[1] ?? '';
      const name = given.replace(/^-+/, '').split('=')[0]!;
      const meant = given.startsWith('--') ? closestName(name, Object.keys(options)) : undefined;
      throw new UsageError(`unknown option ${given}${meant ? `; did you mean --${meant}?` : ''}`, { cause: error });
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = /'--([\w-]+)/.exec((error as Error).message)?.[1];
      const option = name === undefined ? undefined : options[name];
      throw new UsageError(option?.type === 'string' ? `--${name} needs a value.` : name ? `--${name} takes no value.` : (error as Error).message, { cause: error });
    }
    throw error;
  }
}

/** A closed pipe is a reader that has what it wanted (status 0); a failed write is the command's failure. */
function finished(stdout: StandardOutput, status: number, err: (line: string) => void): number {
  if (stdout.failure) {
    err(`lightseed: could not write to standard output: ${stdout.failure.message}`);
    return 1;
  }
  return stdout.closed.aborted ? 0 : status;
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
