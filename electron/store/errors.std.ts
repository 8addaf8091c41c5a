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
