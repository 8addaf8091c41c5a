import type { ParseArgsConfig } from 'node:util';
import type { BuildPaths } from '../paths/build-paths.node';
import type { StandardOutput } from './standard-output.node';

/** What every command gets: resolved global options and where to print. */
export interface CliContext {
  dataDir: string;
  /** The built app's renderer and workers. */
  paths: BuildPaths;
  /** Standard output is a terminal (progress can redraw one line). */
  interactive: boolean;
  /** One line to standard output (nothing once its reader has gone). */
  out: (line: string) => void;
  err: (line: string) => void;
  /** Standard output itself, for streamed text and binary output (see standard-output.node.ts). */
  stdout: StandardOutput;
}

export interface OptionHelp {
  text: string;
  /** Placeholder shown after a valued option, e.g. DIR or N. */
  value?: string;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Arguments after the command name, for the usage line. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Help for each option, by option name: what it does and, for valued options, the value's placeholder. */
  optionHelp: Record<string, OptionHelp>;
  run(values: OptionValues, positionals: string[], context: CliContext): Promise<number>;
}

/** A mistake in how the command was called: printed with the usage line, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Resolves at the first Ctrl+C or SIGTERM, for commands that run until stopped; listens from the call on. */
export function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
