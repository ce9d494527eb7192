import type { AuthFailureReason } from '../../kernel/context.ts';

/**
 * What an auth plugin throws when a request cannot be authenticated: the reason (for the client
 * and the metrics) and a description the client is shown.
 */
export class AuthFailure extends Error {
  readonly reason: AuthFailureReason;

  constructor(reason: AuthFailureReason, description: string, options?: { cause?: unknown }) {
    super(description, options);
    this.name = 'AuthFailure';
    this.reason = reason;
  }

  /** 503 when the gateway cannot check tokens at all; 401 when this token is not good. */
  get status(): 401 | 503 {
    return this.reason === 'keys_unavailable' ? 503 : 401;
  }
}
