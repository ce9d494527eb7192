/**
 * The HTTP answers that refuse a request: 401 with a `WWW-Authenticate` challenge in the scheme the
 * auth plugin speaks (RFC 9110 §11.6.1), 503 when the gateway cannot check credentials at all, and
 * the MCP authorization spec's Bearer forms: 401 pointing at the protected resource metadata
 * (where an OAuth client learns which authorization server to ask) and 403 `insufficient_scope`.
 */
import type { RequestId } from '../../kernel/protocol.ts';
import type { AuthFailure } from './failure.ts';

/** A `WWW-Authenticate` challenge: `ApiKey realm="mcp"`, `Bearer resource_metadata="..."`. */
export interface Challenge {
  /** The authentication scheme the client should use (`Bearer`, `ApiKey`, `Basic`, ...). */
  readonly scheme: string;
  /** Its auth-params, quoted in the header; undefined values are left out. */
  readonly params?: Readonly<Record<string, string | undefined>>;
}

const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

export function formatChallenge({ scheme, params = {} }: Challenge): string {
  const parts = Object.entries(params).flatMap(([key, value]) =>
    value === undefined ? [] : [`${key}=${quoted(value)}`],
  );
  return parts.length ? `${scheme} ${parts.join(', ')}` : scheme;
}

/**
 * 401 with the challenge (503 with `Retry-After`, and no challenge, when the failure is not the
 * client's: `keys_unavailable`). The body says why in OAuth's error form: `unauthorized` when no
 * credential was sent, else the challenge's own `error` or the failure's reason.
 */
export function refusalResponse(failure: AuthFailure, challenge: Challenge): Response {
  const description = failure.message;
  if (failure.status === 503) {
    return Response.json(
      { error: 'temporarily_unavailable', error_description: description },
      { status: 503, headers: { 'retry-after': '5' } },
    );
  }
  const error = failure.reason === 'missing_token' ? 'unauthorized' : (challenge.params?.error ?? failure.reason);
  return Response.json(
    { error, error_description: description },
    { status: 401, headers: { 'www-authenticate': formatChallenge(challenge) } },
  );
}

/**
 * An OAuth resource server's challenge: `Bearer resource_metadata=...`, with `invalid_token` when a
 * token was presented and no `error` when none was (RFC 6750 §3.1).
 */
export function bearerChallenge(resourceMetadata: string, failure: AuthFailure): Challenge {
  const presented = failure.reason !== 'missing_token';
  return {
    scheme: 'Bearer',
    params: {
      ...(presented && { error: 'invalid_token', error_description: failure.message }),
      resource_metadata: resourceMetadata,
    },
  };
}

/** 401 (or 503) for a request without a valid bearer token, pointing at the protected resource metadata. */
export function unauthorizedResponse(resourceMetadata: string, failure: AuthFailure): Response {
  return refusalResponse(failure, bearerChallenge(resourceMetadata, failure));
}

/**
 * 403 for a caller whose token lacks the scopes an operation needs: the body is a JSON-RPC error
 * for the request, naming the scopes. With `resourceMetadata` (an OAuth caller), the header tells
 * the client which scopes to ask for (MCP step-up authorization); without, there is no challenge.
 */
export function insufficientScopeResponse(options: {
  readonly resourceMetadata: string | undefined;
  /** Scopes that would allow the operation. */
  readonly scopes: readonly string[];
  readonly id: RequestId | undefined;
  readonly message: string;
  readonly code: number;
}): Response {
  return Response.json(
    {
      jsonrpc: '2.0',
      id: options.id ?? null,
      error: { code: options.code, message: options.message, data: { requiredScopes: options.scopes } },
    },
    {
      status: 403,
      ...(options.resourceMetadata !== undefined && {
        headers: {
          'www-authenticate': formatChallenge({
            scheme: 'Bearer',
            params: {
              error: 'insufficient_scope',
              scope: options.scopes.length ? options.scopes.join(' ') : undefined,
              resource_metadata: options.resourceMetadata,
            },
          }),
        },
      }),
    },
  );
}
