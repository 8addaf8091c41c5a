// A resource (port, socket, database, engine) used after dispose(): lifecycle-utils'
// DisposedError, which node-llama-cpp throws for its own disposed objects, so one
// `instanceof DisposedError` catches both; ours also says which resource it was.
import { DisposedError as LifecycleDisposedError } from 'lifecycle-utils';

export class DisposedError extends LifecycleDisposedError {
  override readonly name = 'DisposedError';

  constructor(what: string) {
    super();
    this.message = `${what} was used after it was disposed.`;
  }
}
