/**
 * Who sees what: for a principal entered by hand (a subject, scopes, groups and other claims, as a
 * token would carry them), what the running permission policy lets it list and call, and for each
 * item refused, the rule and the scopes it lacks. The answer comes from the `permissions` service,
 * that is the policy's own decision code; without one, nothing is refused.
 */
import { type Principal, type PermissionDecision, type Services, z } from 'mcp-gateway';
import type { CatalogueEntry } from './snapshot.ts';

const words = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((value) => (typeof value === 'string' ? value.split(/[\s,]+/) : value).filter(Boolean));

/** What the form and `POST <path>/api/who-sees-what` take. */
export const principalInput = z.strictObject({
  /** The MCP endpoint asked about (`endpoints:` names; `default` is `/mcp`): its part of the catalogue, its policy. */
  endpoint: z.string().max(100).default('default'),
  subject: z.string().max(200).default('someone'),
  scopes: words,
  groups: words,
  /** The claim the groups go in. */
  groups_claim: z.string().min(1).default('groups'),
  /** Other claims, as a JSON object (or its text, from the form). */
  claims: z
    .union([z.record(z.string(), z.unknown()), z.string()])
    .default({})
    .transform((value, ctx) => {
      if (typeof value !== 'string') return value;
      if (value.trim() === '') return {};
      try {
        const parsed: unknown = JSON.parse(value);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
          return parsed as Record<string, unknown>;
      } catch {}
      ctx.addIssue({ code: 'custom', message: 'claims must be a JSON object, such as {"roles": ["Admin"]}' });
      return z.NEVER;
    }),
});

export function syntheticPrincipal(input: z.output<typeof principalInput>): Principal {
  const claims = { ...input.claims, ...(input.groups.length > 0 && { [input.groups_claim]: input.groups }) };
  return { subject: input.subject, scopes: input.scopes, claims, provider: 'status-page' };
}

export interface Refusal extends PermissionDecision {
  readonly item: CatalogueEntry;
}

export interface WhoSeesWhat {
  /** Whether a permissions policy runs; without one, every caller sees everything. */
  readonly policy: boolean;
  readonly endpoint: string;
  readonly subject: string;
  /** The scopes the policy grants it (its own and those its claims map to). */
  readonly scopes: readonly string[];
  /** What it would list and may call. */
  readonly allowed: readonly (CatalogueEntry & { readonly rule: string | undefined })[];
  readonly refused: readonly Refusal[];
}

const policyKind = { tool: 'tool', prompt: 'prompt', resource: 'resource', 'resource-template': 'resource' } as const;

export function whoSeesWhat(
  principal: Principal,
  endpoint: string,
  catalogue: readonly CatalogueEntry[],
  permissions: Services['permissions'] | undefined,
): WhoSeesWhat {
  if (!permissions) {
    return {
      policy: false,
      endpoint,
      subject: principal.subject,
      scopes: principal.scopes,
      allowed: catalogue.map((item) => ({ ...item, rule: undefined })),
      refused: [],
    };
  }
  const allowed: WhoSeesWhat['allowed'][number][] = [];
  const refused: Refusal[] = [];
  for (const item of catalogue) {
    const decision = permissions.decide(principal, policyKind[item.kind], item.server, item.original, endpoint);
    if (decision.allowed) allowed.push({ ...item, rule: decision.rule });
    else refused.push({ ...decision, item });
  }
  const scopes = permissions.scopesOf(principal, endpoint);
  return { policy: true, endpoint, subject: principal.subject, scopes, allowed, refused };
}
