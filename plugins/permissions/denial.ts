/**
 * How a denial reads. The client learns which item was refused (by the name it used) and which
 * scopes would allow it, so that it can ask the user to step up (MCP's `insufficient_scope`).
 */
import { ErrorCodes, GatewayError, type PermissionDecision, RpcCodes } from 'mcp-gateway';
import type { Decision, Requirement } from './policy.ts';
import type { ItemKind } from './subjects.ts';

export function forbiddenMessage(kind: ItemKind, exposed: string, requirement: Requirement): string {
  const what = `Forbidden: ${kind} "${exposed}"`;
  const scopes = requirement.scopes.join(', ');
  if (requirement.kind === 'unmatched') return `${what} is not allowed (no permission covers it)`;
  if (requirement.scopes.length === 1) return `${what} requires the scope ${scopes}`;
  const mode = requirement.kind === 'pattern' ? requirement.mode : 'any';
  return `${what} requires ${mode === 'all' ? 'all' : 'one'} of the scopes ${scopes}`;
}

/** The error an operation hook throws: JSON-RPC -32003, HTTP 403 where one applies. */
export function forbiddenError(kind: ItemKind, exposed: string, requirement: Requirement): GatewayError {
  return new GatewayError(ErrorCodes.FORBIDDEN, forbiddenMessage(kind, exposed, requirement), {
    rpcCode: RpcCodes.FORBIDDEN,
    status: 403,
    data: { requiredScopes: requirement.scopes },
  });
}

/** A decision as the `permissions` service tells it: the rule that decided and what it requires. */
export function explain({ allowed, requirement }: Decision): PermissionDecision {
  return {
    allowed,
    rule:
      requirement.kind === 'pattern'
        ? requirement.pattern
        : requirement.kind === 'default'
          ? 'options.default_scope'
          : undefined,
    requiredScopes: requirement.scopes,
    scopeMode: requirement.kind === 'pattern' ? requirement.mode : 'any',
  };
}
