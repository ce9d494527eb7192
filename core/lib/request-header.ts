/**
 * A request header by its lower-case name. Under Node it is read from the request Node already
 * parsed: asking Hono's `c.req.header()` builds a web `Headers` for the request first, which
 * costs more than the rest of a small request's routing. Elsewhere (tests through `app.request()`,
 * other runtimes) it is Hono's answer.
 */
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/** Node's own request and response, when the app runs under Node (not through `app.request()`). */
export function nodeBindings(c: Context): Partial<HttpBindings> {
  return (c.env as Partial<HttpBindings> | undefined) ?? {};
}

export function requestHeader(c: Context, name: Lowercase<string>): string | undefined {
  const headers = nodeBindings(c).incoming?.headers;
  if (!headers) return c.req.header(name);
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
