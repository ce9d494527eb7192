/**
 * The status page's options. Access is denied by default: a page that lists every tool, principal
 * and upstream error is a map for an attacker. Exactly one way in is chosen: principals holding a
 * scope or group (an auth plugin authenticates them), a static token of the page's own, or, with
 * neither, callers on the loopback interface only.
 */
import { duration, z } from 'mcp-gateway';

const name = z.string().min(1).regex(/^\S+$/, 'no spaces');

const accessSchema = z
  .strictObject({
    /** Principals holding one of these scopes (their own, or mapped by the permissions policy) may look. */
    scopes: z.array(name).default([]),
    /** Principals with one of these values in the `groups_claim` claim may look. */
    groups: z.array(name).default([]),
    groups_claim: name.default('groups'),
    /** A token of the page's own (write `${STATUS_PAGE_TOKEN}`, from the environment). */
    token: z.string().min(16, 'a status page token needs at least 16 characters').optional(),
  })
  .superRefine((access, ctx) => {
    if (access.token !== undefined && (access.scopes.length > 0 || access.groups.length > 0)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'give either a token or scopes/groups: with a token the page is outside the auth plugin; fix: keep one of them',
      });
    }
  });

export const optionsSchema = z.strictObject({
  /** Where the page is served; its JSON API is under `<path>/api/`. */
  path: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'a path such as /status (no trailing slash)')
    .default('/status'),
  /** How often the open page asks for fresh numbers. */
  refresh: duration.default(2000),
  /** The window the call rate, errors and latency percentiles cover. */
  window: duration.default(60_000),
  access: accessSchema.prefault({}),
});

export type AccessOptions = z.output<typeof optionsSchema>['access'];
