/**
 * Who may see the status page, decided once per request before any handler runs. Three modes,
 * one chosen by the options: `principal` (an auth plugin authenticates, the page checks scopes or
 * groups), `token` (the page's own bearer token, or the cookie a `?token=` link sets) and
 * `loopback` (nothing configured: only callers on this machine). Anything else is refused.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { Principal, RouteAuth, Services } from 'mcp-gateway';
import type { AccessOptions } from './options.ts';

export type AccessMode = 'principal' | 'token' | 'loopback';

export type AccessVerdict = { readonly allowed: true } | { readonly allowed: false; readonly status: 401 | 403 };

export const TOKEN_COOKIE = 'mcp_gateway_status';

export interface Access {
  readonly mode: AccessMode;
  /** `required` only where an auth plugin must name the caller first. */
  readonly routeAuth: RouteAuth;
  check(c: Context): AccessVerdict;
  /** Token mode: whether a token given in a link (`?token=`) is the page's, to keep in a cookie. */
  tokenMatches?(token: string): boolean;
}

export function accessMode(options: AccessOptions): AccessMode {
  if (options.token !== undefined) return 'token';
  return options.scopes.length > 0 || options.groups.length > 0 ? 'principal' : 'loopback';
}

/**
 * `publicHost`: the host of the gateway's public URL, which a browser may also name in loopback mode
 * (besides `localhost` and loopback addresses).
 */
export function createAccess(
  options: AccessOptions,
  permissions: () => Services['permissions'] | undefined,
  publicHost: string,
): Access {
  const mode = accessMode(options);
  switch (mode) {
    case 'token': {
      const matches = tokenMatcher(options.token!);
      return {
        mode,
        routeAuth: 'none',
        check: (c) => (matches(presentedToken(c)) ? allow : deny(401)),
        tokenMatches: matches,
      };
    }
    case 'principal':
      return {
        mode,
        routeAuth: 'required',
        check: (c) => {
          const principal = c.get('principal');
          if (!principal) return deny(401);
          return holdsAccess(principal, options, permissions()) ? allow : deny(403);
        },
      };
    case 'loopback':
      return {
        mode,
        routeAuth: 'none',
        check: (c) =>
          isLoopback(remoteAddress(c)) && namesThisMachine(new URL(c.req.url).hostname, publicHost) ? allow : deny(403),
      };
  }
}

const allow: AccessVerdict = { allowed: true };
const deny = (status: 401 | 403): AccessVerdict => ({ allowed: false, status });

function holdsAccess(principal: Principal, options: AccessOptions, permissions: Services['permissions'] | undefined) {
  const scopes = new Set([...principal.scopes, ...(permissions?.scopesOf(principal) ?? [])]);
  if (options.scopes.some((scope) => scopes.has(scope))) return true;
  const claim = principal.claims[options.groups_claim];
  const groups = typeof claim === 'string' ? [claim] : Array.isArray(claim) ? claim : [];
  return options.groups.some((group) => groups.includes(group));
}

/**
 * Compares digests, so that the time taken tells nothing of the token: neither its length nor
 * how many leading characters a guess got right.
 */
function tokenMatcher(token: string): (presented: string | undefined) => boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = digest(token);
  return (presented) => presented !== undefined && timingSafeEqual(digest(presented), expected);
}

/** The token of the `Authorization: Bearer` header, else of the page's cookie. */
function presentedToken(c: Context): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (bearer) return bearer[1];
  const cookie = (c.req.header('cookie') ?? '')
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${TOKEN_COOKIE}=`));
  return cookie === undefined ? undefined : decodeURIComponent(cookie.slice(TOKEN_COOKIE.length + 1));
}

function remoteAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * DNS rebinding: a web page of any site, its name pointed at 127.0.0.1, is loopback to the
 * gateway and same-origin to itself, so it could read the page. Its `Host` (the request URL's
 * host, as the HTTP server builds it) gives it away.
 */
function namesThisMachine(hostname: string, publicHost: string): boolean {
  const name = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name === publicHost || isLoopback(name);
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6; an unknown peer is not loopback. */
function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
