/** Why a request could not be authenticated, in terms a client (and an operator) can act on. */

export type AuthFailureReason =
  /** No credential at all: no bearer token, no API key (the name predates other schemes; metrics count it so). */
  | 'missing_token'
  /** A credential of the right form that the plugin does not know: a wrong or revoked API key. */
  | 'invalid_credential'
  /** Not a JWT, or not one we could parse. */
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'bad_signature'
  /** Signed with a key the issuer does not publish (even after fetching its keys again). */
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  /** Issued for another service (RFC 8707): not accepted here. */
  | 'wrong_audience'
  /** A claim the gateway needs is missing or of the wrong shape. */
  | 'invalid_claims'
  /** The issuer's keys cannot be fetched now: not the client's fault, retry later. */
  | 'keys_unavailable';

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
