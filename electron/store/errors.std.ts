/** The file exists but is not a LightSeed database; it was not modified. */
export class NotALightSeedDatabaseError extends Error {
  override readonly name = 'NotALightSeedDatabaseError';
}

/** The database was written by a newer LightSeed; it was not modified. */
export class DatabaseFromFutureError extends Error {
  override readonly name = 'DatabaseFromFutureError';

  constructor(
    readonly path: string,
    readonly fileVersion: number,
    readonly appVersion: number,
  ) {
    super(
      `The database at ${path} has schema version ${fileVersion}, but this LightSeed understands versions up to ${appVersion}. ` +
        'It was written by a newer LightSeed: upgrade the app, or pass a different --data-dir. The file was left untouched.',
    );
  }
}

/** A numbered migration failed; its transaction was rolled back. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/**
 * better-sqlite3's compiled addon was built for another runtime's ABI: Node and Electron
 * each need their own build. Said in words, with the command that fixes it, instead of
 * as a failure to open the database.
 */
export class NativeModuleAbiError extends Error {
  override readonly name = 'NativeModuleAbiError';

  constructor(
    readonly builtFor: number,
    readonly runtimeNeeds: number,
    options?: ErrorOptions,
  ) {
    const here = typeof process !== 'undefined' && process.versions.electron ? `Electron ${process.versions.electron}` : 'Node.js';
    super(
      `better-sqlite3 was compiled for another runtime (ABI ${builtFor}); ${here} needs ABI ${runtimeNeeds}. ` +
        'For the command line and browser mode run `npm rebuild better-sqlite3`; `npm start` builds its own copy for Electron. No data was touched.',
      options,
    );
  }
}

/** The ABIs named by Node's "compiled against a different Node.js version" load error, if that is what `error` is. */
export function abiMismatch(error: unknown): { builtFor: number; runtimeNeeds: number } | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const match = /NODE_MODULE_VERSION (\d+)\.[^]*?requires\s+NODE_MODULE_VERSION (\d+)/.exec(message);
  return match ? { builtFor: Number(match[1]), runtimeNeeds: Number(match[2]) } : undefined;
}
