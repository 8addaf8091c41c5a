// Validates and dispatches API calls. Transport-agnostic: the WebSocket server
// and the Electron IPC binding both hand it untrusted `method` and `params`.
import type { z } from 'zod';
import { isMethodName, methods, type MethodName, type Result } from './contract.std';
import { ApiError } from './api-error.std';
import type { ApiErrorBody } from './protocol.std';

export type Handlers = {
  [M in MethodName]: (params: z.output<(typeof methods)[M]['params']>) => Promise<Result<M>> | Result<M>;
};

export type Outcome = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };

export interface Router {
  /** Never throws: every failure comes back as a typed error body. */
  call(method: unknown, params: unknown): Promise<Outcome>;
}

/** Formats zod issues as `path: message` pairs a person can read. */
export function describeIssues(error: z.ZodError): NonNullable<ApiErrorBody['issues']> {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

export function createRouter(handlers: Handlers, onInternalError: (error: unknown, method: string) => void): Router {
  return {
    async call(method, params) {
      if (!isMethodName(method)) {
        return { ok: false, error: { code: 'unknown_method', message: `There is no API method called ${JSON.stringify(method)}.` } };
      }
      const schema = methods[method];
      const parsed = schema.params.safeParse(params ?? {});
      if (!parsed.success) {
        const issues = describeIssues(parsed.error);
        return {
          ok: false,
          error: {
            code: 'invalid_params',
            message: `Invalid params for ${method}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
            issues,
          },
        };
      }
      try {
        const handler = handlers[method] as (p: unknown) => Promise<unknown> | unknown;
        const result = await handler(parsed.data);
        // The contract binds the server too: a result off the schema is a bug, not data.
        const checked = schema.result.safeParse(result);
        if (!checked.success) {
          throw new Error(`${method} returned a result that breaks the contract: ${checked.error.message}`);
        }
        return { ok: true, result: checked.data };
      } catch (error) {
        if (error instanceof ApiError) return { ok: false, error: error.toBody() };
        onInternalError(error, method);
        return { ok: false, error: { code: 'internal', message: `${method} failed: ${errorMessage(error)}` } };
      }
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
