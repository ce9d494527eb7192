/**
 * The `auth:` section, as the original gateway documented it, validated strictly: a misspelt key,
 * a pattern without its server part or a `scope_mode` other than any/all stops the gateway at boot
 * with the key and a fix, instead of silently granting or denying.
 */
import { z } from 'mcp-gateway';
import { serverPatternProblem } from 'mcp-gateway/patterns';

/** OAuth scope tokens have no spaces (RFC 6749 §3.3); the `WWW-Authenticate` scope list relies on it. */
const scope = z.string().regex(/^\S+$/, 'a scope is one word, without spaces');

const scopeList = z.array(scope);

/** How a caller's scopes meet a pattern's, and what no pattern matches needs. */
const policyOptions = {
  /** any: the caller needs one of the pattern's scopes; all: every one of them. */
  scope_mode: z.enum(['any', 'all']),
  /** What no pattern matches needs: null denies it, a scope requires that scope. */
  default_scope: scope.nullable(),
};

/** `server:rest` glob → the scopes that may use what it matches (`[]`: anyone). */
const permissionTable = z.record(z.string(), scopeList);

export const optionsSchema = z
  .strictObject({
    /** The claims of the token whose values are looked up in `mappings`. */
    claims: z.array(z.string().min(1)).default([]),
    /** `claim:value` → the scopes a caller with that claim value gets. */
    mappings: z.record(z.string(), scopeList).default({}),
    /** `server:rest` glob → the scopes that may use what it matches (`[]`: anyone). */
    permissions: permissionTable.default({}),
    options: z
      .strictObject({
        scope_mode: policyOptions.scope_mode.default('any'),
        default_scope: policyOptions.default_scope.default(null),
      })
      .prefault({}),
    /**
     * A virtual endpoint's own policy, by endpoint name (`default`: `/mcp`): its `permissions`
     * replace the table above there, its `options` the keys they give. Claims and mappings are shared.
     */
    endpoints: z
      .record(
        z.string(),
        z.strictObject({
          permissions: permissionTable.optional(),
          options: z
            .strictObject({
              scope_mode: policyOptions.scope_mode.optional(),
              default_scope: policyOptions.default_scope.optional(),
            })
            .optional(),
        }),
      )
      .default({}),
  })
  .superRefine((options, ctx) => {
    const tables = [
      { path: ['permissions'], table: options.permissions },
      ...Object.entries(options.endpoints).map(([name, e]) => ({
        path: ['endpoints', name, 'permissions'],
        table: e.permissions ?? {},
      })),
    ];
    for (const { path, table } of tables) {
      for (const pattern of Object.keys(table)) {
        const problem = serverPatternProblem(pattern);
        if (problem)
          ctx.addIssue({
            code: 'custom',
            path: [...path, pattern],
            message: `permission ${problem.message}`,
            params: { fix: problem.fix },
          });
      }
    }
    for (const key of Object.keys(options.mappings)) {
      if (key.indexOf(':') > 0) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['mappings', key],
        message: `mapping "${key}" is not "<claim>:<value>"`,
        params: { fix: `write the claim first, e.g. "groups:${key}"` },
      });
    }
  });

export type PermissionsOptions = z.output<typeof optionsSchema>;
