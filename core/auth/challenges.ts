/**
 * The HTTP answers of the MCP authorization spec: 401 with `WWW-Authenticate: Bearer
 * resource_metadata=...` (where the client learns which authorization server to ask), 403
 * `insufficient_scope` (which scopes to ask for), 503 when the issuer's keys cannot be fetched.
 */
import type { RequestId } from '../protocol.ts';
import type { AuthFailure } from './failure.ts';

const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

function challenge(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params).flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${quoted(value)}`]));
  return `Bearer ${parts.join(', ')}`;
}

/** 401 (or 503) for a request without valid credentials; no `error` when none were sent (RFC 6750 §3.1). */
export function unauthorizedResponse(resourceMetadata: string, failure: AuthFailure): Response {
  const presented = failure.reason !== 'missing_token';
  const description = failure.message;
  if (failure.status === 503) {
    return Response.json(
      { error: 'temporarily_unavailable', error_description: description },
      { status: 503, headers: { 'retry-after': '5' } },
    );
  }
  return Response.json(
    presented ? { error: 'invalid_token', error_description: description } : { error: 'unauthorized', error_description: description },
    {
      status: 401,
      headers: {
        'www-authenticate': challenge({
          ...(presented && { error: 'invalid_token', error_description: description }),
          resource_metadata: resourceMetadata,
        }),
      },
    },
  );
}

/**
 * 403 for a caller whose token lacks the scopes an operation needs: the header tells the client
 * which scopes to ask for (MCP step-up authorization); the body is a JSON-RPC error for the request.
 */
export function insufficientScopeResponse(options: {
  readonly resourceMetadata: string;
  /** Scopes that would allow the operation. */
  readonly scopes: readonly string[];
  readonly id: RequestId | undefined;
  readonly message: string;
  readonly code: number;
}): Response {
  return Response.json(
    { jsonrpc: '2.0', id: options.id ?? null, error: { code: options.code, message: options.message, data: { requiredScopes: options.scopes } } },
    {
      status: 403,
      headers: {
        'www-authenticate': challenge({
          error: 'insufficient_scope',
          scope: options.scopes.length ? options.scopes.join(' ') : undefined,
          resource_metadata: options.resourceMetadata,
        }),
      },
    },
  );
}
