/**
 * The rules in force: one policy per MCP endpoint (`auth.endpoints.<name>` replaces the table or
 * the options of the shared one there) and the one caller resolver (claims and mappings are the
 * same everywhere), logged as they come into force.
 */
import { ErrorCodes, GatewayError, type Logger, type OperationContext } from 'mcp-gateway';
import type { PermissionsOptions } from './options.ts';
import { Policy } from './policy.ts';
import { callerResolver, type Caller } from './scopes.ts';

/** `/mcp`'s endpoint, whose policy is the top-level one unless `auth.endpoints.default` says otherwise. */
export const DEFAULT_ENDPOINT = 'default';

export interface Rules {
  /** The policy of an endpoint; an endpoint without its own has the shared one. */
  policyOf(endpoint: string): Policy;
  callerOf(principal: OperationContext['principal']): Caller;
}

/**
 * Compile the options for the gateway's `endpoints`; an `auth.endpoints` key that names none is
 * refused (a typo there would silently leave that endpoint with the shared policy).
 */
export function compileRules(
  options: PermissionsOptions,
  servers: readonly string[],
  endpoints: readonly string[],
  logger: Logger,
): Rules {
  for (const name of Object.keys(options.endpoints)) {
    if (!endpoints.includes(name))
      throw new GatewayError(
        ErrorCodes.CONFIG,
        `auth.endpoints.${name}: the gateway has no endpoint "${name}" (it has: ${endpoints.join(', ')}); declare it under endpoints: or fix the name`,
      );
  }
  const shared = policy(options.permissions, options.options);
  const policies = new Map(
    Object.entries(options.endpoints).map(([name, own]) => [
      name,
      policy(own.permissions ?? options.permissions, { ...options.options, ...own.options }),
    ]),
  );
  const callerOf = callerResolver({ claims: options.claims, mappings: new Map(Object.entries(options.mappings)) });
  warnAboutDeadEntries(options, servers, logger);
  logger.info(
    {
      patterns: shared.table.patterns.length,
      scope_mode: options.options.scope_mode,
      default_scope: options.options.default_scope,
      ...(policies.size > 0 && { endpoints: [...policies.keys()] }),
    },
    'permissions loaded',
  );
  return { policyOf: (endpoint) => policies.get(endpoint) ?? shared, callerOf };
}

function policy(permissions: PermissionsOptions['permissions'], options: PermissionsOptions['options']): Policy {
  return new Policy({
    permissions: Object.entries(permissions),
    scopeMode: options.scope_mode,
    defaultScope: options.default_scope,
  });
}

/** Entries that can never apply are almost always typos: say so at boot (without refusing a config the original accepted). */
function warnAboutDeadEntries(options: PermissionsOptions, servers: readonly string[], logger: Logger): void {
  for (const key of Object.keys(options.mappings)) {
    const claim = key.slice(0, key.indexOf(':'));
    if (!options.claims.includes(claim)) {
      logger.warn({ mapping: key }, `mapping "${key}" never applies: claim "${claim}" is not listed in auth.claims`);
    }
  }
  const tables = [options.permissions, ...Object.values(options.endpoints).map((e) => e.permissions ?? {})];
  for (const pattern of new Set(tables.flatMap((table) => Object.keys(table)))) {
    const server = pattern.slice(0, pattern.indexOf(':'));
    if (!server.includes('*') && !servers.includes(server)) {
      logger.warn({ pattern }, `permission "${pattern}" names server "${server}", which is not in proxy.servers`);
    }
  }
}
