/** The Electron binary's path, or undefined when it was never downloaded. */
export function electronBinary(): string | undefined;
/** Where the Electron build of better-sqlite3 lives for this Electron and better-sqlite3. */
export function electronSqlitePath(root: string): string;
/** Builds it when missing; returns its path. */
export function ensureElectronSqlite(root: string, log?: (line: string) => void): Promise<string>;
