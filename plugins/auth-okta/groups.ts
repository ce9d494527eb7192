/**
 * A user's Okta groups, for access tokens that do not carry a `groups` claim (Okta's default
 * authorization server leaves it out unless a claim is configured). The plugin asks the Okta API
 * as a service app: client credentials with a private-key JWT assertion (RFC 7523) for a token
 * with `okta.users.read`, then `GET /api/v1/users/{id}/groups`. Answers are cached per user.
 */
import { randomUUID } from 'node:crypto';
import { importJWK, importPKCS8, SignJWT, type CryptoKey, type KeyObject } from 'jose';
import type { Logger } from 'mcp-gateway';
import type { GroupLookupOptions } from './options.ts';

const MAX_CACHED_USERS = 10_000;

export class OktaGroups {
  readonly #options: GroupLookupOptions;
  readonly #log: Logger;
  readonly #tokenUrl: string;
  readonly #cache = new Map<string, { groups: Promise<string[]>; until: number }>();
  #key: Promise<CryptoKey | KeyObject | Uint8Array> | undefined;
  #token: { value: string; until: number } | undefined;

  constructor(options: GroupLookupOptions, logger: Logger) {
    this.#options = options;
    this.#log = logger;
    this.#tokenUrl = new URL('/oauth2/v1/token', options.orgUrl).href;
  }

  /** The names of the user's groups (by Okta user id or login). */
  groupsOf(user: string): Promise<string[]> {
    const now = Date.now();
    const cached = this.#cache.get(user);
    if (cached && cached.until > now) return cached.groups;
    if (this.#cache.size >= MAX_CACHED_USERS) this.#cache.delete(this.#cache.keys().next().value!);
    const groups = this.#fetchGroups(user);
    this.#cache.set(user, { groups, until: now + this.#options.cacheTtlMs });
    groups.catch(() => this.#cache.delete(user)); // a failure is not remembered
    return groups;
  }

  async #fetchGroups(user: string): Promise<string[]> {
    const response = await fetch(new URL(`/api/v1/users/${encodeURIComponent(user)}/groups`, this.#options.orgUrl), {
      headers: { authorization: `Bearer ${await this.#accessToken()}`, accept: 'application/json' },
      signal: AbortSignal.timeout(5000),
    });
    if (response.status === 401) this.#token = undefined;
    if (!response.ok) throw new Error(`the Okta API answered HTTP ${response.status} for the groups of ${user}`);
    const groups = (await response.json()) as { profile?: { name?: unknown } }[];
    return groups.flatMap((group) => (typeof group.profile?.name === 'string' ? [group.profile.name] : []));
  }

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.until > Date.now()) return this.#token.value;
    const { clientId, privateKeyId } = this.#options;
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: privateKeyId })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(this.#tokenUrl)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(await this.#signingKey());
    const response = await fetch(this.#tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'okta.users.read',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
    };
    if (!response.ok || !body.access_token) {
      throw new Error(
        `Okta refused the group lookup credentials: HTTP ${response.status}${body.error ? ` ${body.error}` : ''}`,
      );
    }
    // Renew a minute early so that a token never expires in flight.
    this.#token = { value: body.access_token, until: Date.now() + Math.max(0, (body.expires_in ?? 3600) - 60) * 1000 };
    this.#log.debug('obtained an Okta API token for the group lookup');
    return this.#token.value;
  }

  #signingKey() {
    const text = this.#options.privateKey.trim();
    this.#key ??= text.startsWith('{') ? importJWK(JSON.parse(text), 'RS256') : importPKCS8(text, 'RS256');
    return this.#key;
  }
}
