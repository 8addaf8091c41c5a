import { methodNames } from '../../electron/api/contract.std';
import type { Handlers } from '../../electron/api/router.std';

/** Handlers for every contract method that fail if called, with the ones a test needs filled in. */
export function handlersWith(overrides: Partial<Handlers>): Handlers {
  const unused = Object.fromEntries(
    methodNames.map((method) => [
      method,
      () => {
        throw new Error(`${method} is not used in this test`);
      },
    ]),
  );
  return { ...unused, ...overrides } as Handlers;
}
