/**
 * JWT access-token verification against an issuer's published keys, with jose: signature (keys
 * from the issuer's JWKS, found by OIDC / RFC 8414 discovery or given, cached, fetched again on an
 * unknown `kid` at most once per cooldown so a rotated key is accepted without a restart),
 * `iss`, `aud` (RFC 8707: the token must be meant for this gateway), `exp` / `nbf` with a
 * tolerance, and an algorithm allow list (never `none`, never HMAC with a public key).
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { AuthFailure } from './failure.ts';

type Jose = typeof import('jose');
// Loaded on first use: jose is many ES modules, a noticeable part of every start, also of gateways
// that verify no JWT at all.
let jose: Promise<Jose> | undefined;
const loadJose = () => (jose ??= import('jose'));

/** Asymmetric algorithms only: an HMAC "signature" made with a public key proves nothing. */
export const defaultAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

export interface JwtVerifierOptions {
  /** The `iss` tokens must carry; also where the keys are discovered from. */
  readonly issuer: string;
  /** The issuer's JWKS URL; discovered from the issuer when absent. */
  readonly jwksUri?: string;
  /** Accepted `aud` values; a function when they are only known once the gateway listens. */
  readonly audience: readonly string[] | (() => readonly string[]);
  readonly algorithms?: readonly string[];
  /** Tolerated clock difference for `exp`, `nbf` and `iat`. */
  readonly clockToleranceSeconds?: number;
  /** Shortest time between two fetches of the keys (an unknown `kid` triggers one). */
  readonly keyRefreshCooldownMs?: number;
  readonly fetchTimeoutMs?: number;
}

export interface JwtVerifier {
  /** The verified payload, or an `AuthFailure` saying why not. */
  verify(token: string): Promise<JWTPayload>;
}

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const timeout = options.fetchTimeoutMs ?? 5000;
  let keys: JWTVerifyGetKey | undefined;
  let discovering: Promise<JWTVerifyGetKey> | undefined;

  const keySet = async (): Promise<JWTVerifyGetKey> => {
    if (keys) return keys;
    discovering ??= (async () => {
      const uri = options.jwksUri ?? (await discoverJwksUri(options.issuer, timeout));
      const { createRemoteJWKSet } = await loadJose();
      keys = createRemoteJWKSet(new URL(uri), {
        cooldownDuration: options.keyRefreshCooldownMs ?? 30_000,
        cacheMaxAge: 10 * 60_000,
        timeoutDuration: timeout,
      });
      return keys;
    })().finally(() => (discovering = undefined));
    return discovering;
  };

  return {
    async verify(token) {
      const audience = typeof options.audience === 'function' ? options.audience() : options.audience;
      const { errors, jwtVerify } = await loadJose();
      let getKey: JWTVerifyGetKey;
      try {
        getKey = await keySet();
      } catch (error) {
        throw new AuthFailure('keys_unavailable', `the issuer's keys cannot be fetched: ${(error as Error).message}`, {
          cause: error,
        });
      }
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience: [...audience],
          algorithms: [...(options.algorithms ?? defaultAlgorithms)],
          clockTolerance: options.clockToleranceSeconds ?? 30,
          requiredClaims: ['exp'],
        });
        return payload;
      } catch (error) {
        throw asFailure(error, errors);
      }
    },
  };
}

/** The JWKS URL from the issuer's OpenID Connect or RFC 8414 metadata. */
async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<string> {
  const base = new URL(issuer);
  const path = base.pathname.replace(/\/$/, '');
  const candidates = [
    `${base.origin}${path}/.well-known/openid-configuration`,
    `${base.origin}/.well-known/oauth-authorization-server${path}`,
    `${base.origin}${path}/.well-known/oauth-authorization-server`,
  ];
  const problems: string[] = [];
  for (const url of candidates) {
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { accept: 'application/json' },
      });
      if (!response.ok) {
        problems.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // RFC 8414 §3.3: metadata naming another issuer must not be used.
      if (metadata.issuer !== issuer && metadata.issuer !== `${issuer.replace(/\/$/, '')}`) {
        problems.push(`${url}: it describes issuer ${String(metadata.issuer)}`);
        continue;
      }
      if (typeof metadata.jwks_uri === 'string') return metadata.jwks_uri;
      problems.push(`${url}: no jwks_uri`);
    } catch (error) {
      problems.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no usable discovery document for ${issuer} (${problems.join('; ')})`);
}

function asFailure(error: unknown, errors: Jose['errors']): AuthFailure {
  const failure = (reason: ConstructorParameters<typeof AuthFailure>[0], text: string) =>
    new AuthFailure(reason, text, { cause: error });
  if (error instanceof errors.JWTExpired) return failure('expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return failure('wrong_issuer', 'the token was issued by another issuer');
    if (error.claim === 'aud') return failure('wrong_audience', 'the token was not issued for this gateway (audience)');
    if (error.claim === 'nbf' || error.claim === 'iat') return failure('not_yet_valid', 'the token is not valid yet');
    return failure('invalid_claims', `the token's "${error.claim}" claim is missing or invalid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return failure('algorithm_not_allowed', 'the token is signed with an algorithm that is not accepted');
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return failure('bad_signature', 'the token signature is invalid');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return failure('unknown_key', 'the token is signed with a key the issuer does not publish');
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error instanceof TypeError) {
    return failure('keys_unavailable', `the issuer's keys cannot be fetched: ${(error as Error).message}`);
  }
  if (error instanceof errors.JOSEError) return failure('malformed', 'the token is not a valid JWT');
  return failure('malformed', 'the token could not be read');
}
