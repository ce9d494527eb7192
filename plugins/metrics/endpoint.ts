/**
 * Serving the exposition: the scraper's token check, and the handler of the gateway route.
 * The token is compared as SHA-256 digests with timingSafeEqual: equal lengths whatever was sent,
 * and a comparison whose time says nothing about how much of the token was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRoutes } from 'mcp-gateway';

type RouteHandler = Parameters<HttpRoutes['route']>[2];

/** True when the request may read the metrics (always, without a configured token). */
export type ScrapeCheck = (authorization: string | undefined) => boolean;

const digest = (text: string) => createHash('sha256').update(text).digest();

export function scrapeCheck(token: string | undefined): ScrapeCheck {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return function hasToken(authorization) {
    const given = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
    return given !== undefined && timingSafeEqual(digest(given), expected);
  };
}

/** What a scraper without the token gets. */
export const unauthorized = {
  status: 401,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"' },
  body: 'Unauthorized: send Authorization: Bearer <metrics.bearer_token>\n',
} as const;

/** What a scrape answers: the registry's exposition, once the events still queued are counted. */
export interface Scrape {
  readonly contentType: string;
  exposition(): Promise<string>;
}

/** The route on the gateway's own port. */
export function metricsRoute(scrape: Scrape, allowed: ScrapeCheck): RouteHandler {
  return async function serveMetrics(c) {
    if (!allowed(c.req.header('authorization')))
      return c.body(unauthorized.body, unauthorized.status, unauthorized.headers);
    return c.body(await scrape.exposition(), 200, { 'content-type': scrape.contentType });
  };
}
