/**
 * The credentials the gateway presents to one HTTP upstream, as request headers: the server's
 * `connection.headers` and its `auth:` (a static header, a bearer token, or an OAuth 2 access
 * token from the client credentials grant, RFC 6749 §4.4). Never the client's own token.
 *
 * One instance per server, shared by all its channels: an OAuth 2 token is fetched once, cached
 * until shortly before it expires, and shared; concurrent requests wait for the same fetch. A
 * failed fetch is not cached: the next request tries again. When the upstream answers 401, the
 * token is forgotten and the request sent once more with a new one (`exchange`).
 *
 * The client secret and the tokens are never logged, nor put in error messages.
 */
import type { Logger } from 'pino';
import { onAbort, type StopSignal } from '../cancellation.ts';
import { ErrorCodes, GatewayError, RpcCodes } from '../../kernel/errors.ts';
import type { Exchange, HttpClient, HttpResponse } from './http-client.ts';
import type { HttpServerSettings, UpstreamAuth } from './settings.ts';

type OAuth2 = Extract<UpstreamAuth, { type: 'oauth2' }>;

/** How long the token endpoint may take to answer. */
const TOKEN_TIMEOUT_MS = 10_000;
/** A token's lifetime when the endpoint does not say (`expires_in` absent): an hour at most. */
const DEFAULT_LIFETIME_MS = 3_600_000;
/** A token is replaced this long before it expires (a tenth of its lifetime for short-lived ones). */
const MAX_MARGIN_MS = 30_000;

interface CachedToken {
  /** The `Authorization` header value. */
  readonly authorization: string;
  /** When to stop using it (epoch ms): its expiry minus the safety margin. */
  readonly refreshAt: number;
}

export interface UpstreamCredentialsOptions {
  /** Where token fetches are logged (never the token or the secret). */
  readonly logger?: Logger;
}

export class UpstreamCredentials {
  /** The server's name, for errors. */
  readonly server: string;
  /** `connection.headers` and a static `auth:` (header or bearer), names in lower case. */
  readonly #static: Readonly<Record<string, string>>;
  readonly #hasStatic: boolean;
  readonly #oauth2: OAuth2 | undefined;
  readonly #log: Logger | undefined;
  #token: CachedToken | undefined;
  #fetching: Promise<CachedToken> | undefined;

  constructor(server: string, settings: HttpServerSettings, options: UpstreamCredentialsOptions = {}) {
    this.server = server;
    this.#log = options.logger;
    const headers = Object.fromEntries(
      Object.entries(settings.connection.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const { auth } = settings;
    if (auth?.type === 'header') headers[auth.header.toLowerCase()] = auth.value;
    if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;
    if (auth?.type === 'oauth2') {
      this.#oauth2 = auth;
      delete headers.authorization; // the token's, always
      const url = new URL(auth.token_url);
      if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
        this.#log?.warn(
          { tokenEndpoint: endpointOf(auth) },
          'the token endpoint is plain http: the client secret crosses the network unencrypted',
        );
      }
    }
    this.#static = headers;
    this.#hasStatic = Object.keys(headers).length > 0;
  }

  /** Whether `refresh()` can bring new credentials (an OAuth 2 token), so resending a refused request makes sense. */
  get refreshable(): boolean {
    return this.#oauth2 !== undefined;
  }

  /**
   * The headers for a request to the server now: its configured headers and its credentials,
   * with a valid access token (fetched first if none is cached). Rejects with a `GatewayError`
   * naming the server if the token endpoint fails, or with `signal.reason` if it aborts first.
   */
  async headers(signal: AbortSignal): Promise<Record<string, string>> {
    return { ...this.#static, ...(await this.#auth(signal)) };
  }

  /**
   * Forget the cached token, after the upstream refused it: the next request gets a new one.
   * With `rejected` (the headers that were refused), only if the cache still holds that token,
   * so that many requests refused at once cause one fetch. Returns false when there is nothing
   * to refresh (static credentials).
   */
  refresh(rejected?: Readonly<Record<string, string>>): boolean {
    if (!this.#oauth2) return false;
    if (rejected === undefined || rejected.authorization === this.#token?.authorization) this.#token = undefined;
    return true;
  }

  /**
   * One exchange with the server, carrying its headers: the exchange's own headers are added to
   * the configured ones, and the credentials win over both. If the server answers 401 and the
   * credentials can be refreshed, the token is refreshed and the exchange sent once more; the
   * caller gets that second answer, whatever it is.
   */
  exchange(client: HttpClient, exchange: Exchange): Promise<HttpResponse> {
    // Without OAuth 2 nothing is awaited before the request goes out, nor after it (a 401 is the
    // answer: sending the same credentials again would not change it).
    if (!this.#oauth2)
      return client.exchange(
        this.#hasStatic ? { ...exchange, headers: { ...this.#static, ...exchange.headers } } : exchange,
      );
    return this.#exchangeWithToken(client, exchange);
  }

  async #exchangeWithToken(client: HttpClient, exchange: Exchange): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      const auth = await this.#auth(exchange.signal);
      const response = await client.exchange({
        ...exchange,
        headers: { ...this.#static, ...exchange.headers, ...auth },
      });
      if (response.statusCode !== 401 || attempt > 1 || !this.refresh(auth)) return response;
      response.body.discard();
      this.#log?.debug(
        { method: exchange.method },
        'the upstream answered 401: getting a new access token and sending again',
      );
    }
  }

  async #auth(signal: StopSignal): Promise<Record<string, string>> {
    const auth = this.#oauth2;
    if (!auth) return {};
    signal.throwIfAborted();
    const cached = this.#token;
    if (cached && Date.now() < cached.refreshAt) return { authorization: cached.authorization };
    this.#fetching ??= this.#fetchToken(auth)
      .then((token) => (this.#token = token))
      .finally(() => (this.#fetching = undefined));
    const token = await abortable(this.#fetching, signal);
    return { authorization: token.authorization };
  }

  /** The client credentials grant: a form POST to the token endpoint. */
  async #fetchToken(auth: OAuth2): Promise<CachedToken> {
    const started = Date.now();
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope !== undefined) body.set('scope', auth.scope);
    if (auth.audience !== undefined) body.set('audience', auth.audience);
    if (auth.resource !== undefined) body.set('resource', auth.resource);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (auth.client_auth === 'post') {
      body.set('client_id', auth.client_id);
      body.set('client_secret', auth.client_secret);
    } else {
      // RFC 6749 §2.3.1: both form-encoded, then joined by a colon and base64-encoded.
      headers.authorization = `Basic ${Buffer.from(`${formEncode(auth.client_id)}:${formEncode(auth.client_secret)}`).toString('base64')}`;
    }
    const where = endpointOf(auth);
    let response: Response;
    let text: string;
    try {
      response = await fetch(auth.token_url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual', // a redirect would carry the secret elsewhere
        signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = (error as Error | undefined)?.name === 'TimeoutError';
      throw this.#failure(
        auth,
        timedOut
          ? `the token endpoint ${where} did not answer within ${TOKEN_TIMEOUT_MS / 1000} s`
          : `the token endpoint ${where} could not be reached: ${reasonOf(error)}`,
      );
    }
    const json = parseObject(text);
    if (!response.ok) {
      throw this.#failure(
        auth,
        `the token endpoint ${where} answered HTTP ${response.status}${describeBody(json, text)}`,
      );
    }
    const accessToken = json?.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw this.#failure(
        auth,
        `the token endpoint ${where} answered without an access_token${json ? '' : describeBody(json, text)}`,
      );
    }
    const type = json!.token_type;
    if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer')) {
      throw this.#failure(
        auth,
        `the token endpoint ${where} issued a token of type ${JSON.stringify(type)}; only Bearer is supported`,
      );
    }
    const expiresIn = Number(json!.expires_in);
    const lifetimeMs =
      json!.expires_in !== undefined && Number.isFinite(expiresIn) && expiresIn >= 0
        ? expiresIn * 1000
        : DEFAULT_LIFETIME_MS;
    const marginMs = Math.min(MAX_MARGIN_MS, lifetimeMs / 10);
    this.#log?.debug({ tokenEndpoint: where, expiresInS: lifetimeMs / 1000 }, 'got an access token for the upstream');
    return { authorization: `Bearer ${accessToken}`, refreshAt: started + lifetimeMs - marginMs };
  }

  #failure(auth: OAuth2, reason: string): GatewayError {
    const message = redact(
      `upstream server "${this.server}" could not get an access token: ${reason}`,
      auth.client_secret,
    );
    this.#log?.warn({ error: message }, 'could not get an access token for the upstream');
    return new GatewayError(ErrorCodes.UPSTREAM_UNAVAILABLE, message, {
      rpcCode: RpcCodes.INTERNAL_ERROR,
      data: { server: this.server },
    });
  }
}

/** The token endpoint for messages: origin and path (a query string may hold anything). */
const endpointOf = (auth: OAuth2) => {
  const url = new URL(auth.token_url);
  return `${url.origin}${url.pathname}`;
};

const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

const isLoopback = (hostname: string) => hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** An error answer, said briefly: RFC 6749 §5.2's `error` and `error_description`, else the start of the body. */
function describeBody(json: Record<string, unknown> | undefined, text: string): string {
  if (typeof json?.error === 'string') {
    const description = typeof json.error_description === 'string' ? ` (${json.error_description.slice(0, 200)})` : '';
    return `: ${json.error.slice(0, 100)}${description}`;
  }
  const start = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return start ? `: ${start}` : '';
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The secret out of a text that echoes it back (a careless endpoint's error page), in any encoding we sent it in. */
function redact(text: string, secret: string): string {
  let result = text;
  for (const form of new Set([secret, formEncode(secret), encodeURIComponent(secret)]))
    result = result.split(form).join('[redacted]');
  return result;
}

/** The promise, or `signal.reason` as soon as the signal aborts (the promise itself goes on, for others). */
function abortable<T>(promise: Promise<T>, signal: StopSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const stopListening = onAbort(signal, reject);
    promise.then(
      (value) => (stopListening(), resolve(value)),
      (error: unknown) => (stopListening(), reject(error)),
    );
  });
}
