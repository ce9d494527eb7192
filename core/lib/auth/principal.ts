/** A principal from verified token claims. */
import type { JWTPayload } from 'jose';
import type { Principal } from '../../kernel/context.ts';
import { AuthFailure } from './failure.ts';

export interface PrincipalOptions {
  /** The claim naming the caller (default `sub`). */
  readonly subjectClaim?: string;
  /** Claims holding scopes: a space-separated string (`scope`, RFC 8693) or an array (`scp`, Okta, Entra ID). */
  readonly scopeClaims?: readonly string[];
  readonly provider: string;
}

export function principalFromClaims(claims: JWTPayload, options: PrincipalOptions): Principal {
  const subject = claims[options.subjectClaim ?? 'sub'];
  if (typeof subject !== 'string' || subject === '') {
    throw new AuthFailure(
      'invalid_claims',
      `the token has no "${options.subjectClaim ?? 'sub'}" claim naming the caller`,
    );
  }
  const scopes = new Set<string>();
  for (const claim of options.scopeClaims ?? ['scope', 'scp']) {
    const value = claims[claim];
    const values = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
    for (const scope of values) if (typeof scope === 'string' && scope) scopes.add(scope);
  }
  return { subject, scopes: [...scopes], claims, provider: options.provider };
}
