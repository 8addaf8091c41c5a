// SQLite's result codes as sentences about the user's file. A read-only file, folder or mount,
// a full disk and a damaged page are different problems with different fixes, and none of
// them means the file is not a database: only SQLITE_NOTADB says that. Nothing here suggests
// moving good data aside.
import { accessSync, constants, statfsSync } from 'node:fs';
import { basename, dirname } from 'node:path';

/** A database failure said in words: what happened to which file, that nothing was lost, what to do. */
export class DatabaseProblemError extends Error {
  override readonly name = 'DatabaseProblemError';

  constructor(
    readonly kind: 'read-only' | 'disk-full' | 'damaged' | 'locked' | 'unreadable',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** better-sqlite3's SqliteError (or a Node system error) code, if the error has one. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The SQLite or system error at the root of `error`: services wrap them with causes. */
function rootFailure(error: unknown): unknown {
  for (let at = error, depth = 0; at instanceof Error && depth < 8; at = at.cause, depth++) {
    const code = codeOf(at);
    if (code && (code.startsWith('SQLITE_') || /^E[A-Z]+$/.test(code))) return at;
  }
  return error;
}

/** What cannot be written (the file, its folder, where SQLite writes -wal and -shm, or the whole mount) and the fix. */
function readOnlyPart(path: string): { what: string; fix: string } | undefined {
  const folder = dirname(path);
  for (const [target, what] of [
    [folder, `The folder ${folder}`],
    [path, path],
  ] as const) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      if (codeOf(error) === 'EROFS') return { what: `${path} is on a read-only file system`, fix: 'Mount it writable, or copy the folder to a writable disk and pass --data-dir.' };
      if (codeOf(error) === 'EACCES' || codeOf(error) === 'EPERM') {
        return { what: `${what} is read-only for this user`, fix: 'Make the file and its folder writable for you (chmod u+w, or chown), or copy the folder to a writable disk and pass --data-dir.' };
      }
    }
  }
  return undefined;
}

/** Free space on the disk holding `path`, in MB, or undefined where the platform cannot say. */
export function freeMegabytes(path: string): number | undefined {
  try {
    const stats = statfsSync(dirname(path));
    return (stats.bavail * stats.bsize) / 1e6;
  } catch {
    return undefined;
  }
}

/**
 * The sentence for a failure of the database at `path`, or undefined when the error is not a
 * file problem (a constraint, a bug): those keep their own message.
 */
export function explainDatabaseError(error: unknown, path: string): DatabaseProblemError | undefined {
  if (error instanceof DatabaseProblemError) return error;
  error = rootFailure(error);
  const code = codeOf(error);
  if (!code) return undefined;
  const cause = { cause: error };
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    const part = readOnlyPart(path);
    if (part || code.startsWith('SQLITE_READONLY')) {
      return new DatabaseProblemError(
        'read-only',
        `${part?.what ?? `${path} is read-only`}: LightSeed writes to its database and, beside it, to ${basename(path)}-wal and ${basename(path)}-shm. ` +
          `${part?.fix ?? 'Make it writable, or copy the folder to a writable disk and pass --data-dir.'} Nothing was changed.`,
        cause,
      );
    }
    return new DatabaseProblemError('unreadable', `${path} could not be opened (${(error as Error).message}): check that it and its folder exist and can be read. Nothing was changed.`, cause);
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_SHMSIZE' || code === 'SQLITE_IOERR_TRUNCATE') {
    const free = freeMegabytes(path);
    return new DatabaseProblemError(
      'disk-full',
      `The disk holding ${path} is full${free !== undefined ? ` (${free.toFixed(1)} MB free)` : ''}: free some space (50 MB is plenty) and try again. ` +
        'What was written before is kept; the step that failed was rolled back.',
      cause,
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_CORRUPT_INDEX' || code === 'SQLITE_CORRUPT_SEQUENCE') {
    return new DatabaseProblemError(
      'damaged',
      `${path} is damaged (${(error as Error).message}): the parts of it that are intact still read, but this step touched a damaged page. ` +
        '`lightseed db check` lists the damage. To recover, put back a backup made with `lightseed db backup FILE`, ' +
        'or copy every row that still reads into a new file with `lightseed db salvage NEW_FOLDER` (the damaged file is not changed).',
      cause,
    );
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY_')) {
    return new DatabaseProblemError('locked', `${path} is busy: another LightSeed (the app, a CLI command or lightseed serve) is writing to it. Try again when it has finished.`, cause);
  }
  return undefined;
}
