/**
 * A request's body as text. Under Node it is read from the request Node parsed, as it arrives:
 * Hono's `c.req.text()` reads it through the adapter's web `Request`, a chain of promises and
 * stream events that, on a path every tool call takes, cost more than reading the body itself
 * (core/README.md, "Measured costs"). The text is then left in Hono's body cache,
 * so that a later `c.req.text()` or `c.req.json()` (a plugin's) gets the same body. A body a
 * plugin already read through Hono, and bodies outside Node (`app.request()`), come from Hono.
 */
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import { nodeBindings } from '../../lib/request-header.ts';

export function requestText(c: Context): Promise<string> {
  const { incoming } = nodeBindings(c);
  const { bodyCache } = c.req;
  // (Tests may stand in a plain object for Node's request: its address, no body.)
  if (!(incoming instanceof Readable) || incoming.readableDidRead || Object.keys(bodyCache).length > 0)
    return c.req.text();
  const text = new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    // A client that goes away mid-body: Node destroys the request with an error.
    incoming.once('error', reject);
  });
  // Hono keeps the promise of each body it read (its type says the value).
  (bodyCache as Record<string, unknown>).text = text;
  return text;
}
