import type { ApiErrorBody, ErrorCode } from './protocol.std';

/**
 * A failure that crosses the API boundary with a code the client can act on.
 * Handlers throw it for expected failures; anything else thrown becomes `internal`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ApiErrorBody['issues'],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  toBody(): ApiErrorBody {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}
