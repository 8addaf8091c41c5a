/** A resource (port, socket, database, engine) was used after dispose(). */
export class DisposedError extends Error {
  override readonly name = 'DisposedError';

  constructor(what: string) {
    super(`${what} was used after it was disposed.`);
  }
}
