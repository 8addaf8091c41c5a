// The one sentence a failed command ends with, for every command and every failure path.
import { join } from 'node:path';
import { DATABASE_FILE } from '../services/app-services.node';
import { explainDatabaseError } from '../store/database-errors.node';
import { describeSystemError } from './system-error.node';

/**
 * The one sentence a failed command ends with. An error thrown while the command's resources
 * were being released arrives wrapped (SuppressedError): the error that ended the work is the
 * one to tell. SQLite's and Node's codes become sentences about the file.
 */
export function failureMessage(error: unknown, dataDir: string | undefined): string {
  // Bundled `await using` makes its own SuppressedError where the runtime has none (Node 20).
  while (error instanceof Error && error.name === 'SuppressedError' && 'suppressed' in error) error = error.suppressed;
  const database = dataDir === undefined ? undefined : explainDatabaseError(error, join(dataDir, DATABASE_FILE));
  const message = database?.message ?? describeSystemError(error) ?? (error instanceof Error ? error.message : String(error));
  return message || (error instanceof Error ? `${error.name} (no message)` : 'an unknown error');
}

