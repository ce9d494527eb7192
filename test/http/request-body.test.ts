/**
 * The request body as the `/mcp` endpoint reads it (core/engine/http/request-body.ts): under Node straight
 * from Node's request, and still the same body for whoever reads it through Hono before or after;
 * a client that leaves mid-body fails the read rather than leaving it waiting. On a real Node
 * server (`app.request()` never reaches Node's request).
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, expect, it } from 'vitest';
import { requestText } from '../../core/engine/http/request-body.ts';

let server: ServerType | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server whose POST /echo reads its body with `requestText`; `before` runs first. */
async function start(
  options: { before?: (c: { req: { json(): Promise<unknown> } }) => Promise<unknown>; seen?: unknown[] } = {},
) {
  const app = new Hono();
  app.post('/echo', async (c) => {
    const earlier = options.before ? await options.before(c) : undefined;
    let text: string;
    try {
      text = await requestText(c);
    } catch (error) {
      options.seen?.push(error);
      return c.body(null, 400);
    }
    // A later reader (a plugin's) gets the same body from Hono's cache.
    const later = await c.req.json();
    return c.json({ text, earlier, later });
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server!.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const body = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: 'é'.repeat(40_000) } },
});

it('reads the body from Node, whole and decoded, and leaves it for readers after it', async () => {
  const url = await start();
  // Large enough to come in several chunks, with a two-byte character cut between some of them.
  const answer = (await (
    await fetch(`${url}/echo`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
  ).json()) as Record<string, unknown>;
  expect(answer.text).toBe(body);
  expect(answer.later).toEqual(JSON.parse(body));
});

it('gives the body a reader before it took through Hono', async () => {
  const url = await start({ before: (c) => c.req.json() });
  const answer = (await (
    await fetch(`${url}/echo`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
  ).json()) as Record<string, unknown>;
  expect(answer.earlier).toEqual(JSON.parse(body));
  expect(answer.text).toBe(body);
});

it('fails the read when the client goes away before the whole body came', async () => {
  const seen: unknown[] = [];
  const url = new URL(await start({ seen }));
  const socket = connect(Number(url.port), url.hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    'POST /echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"jsonrpc":',
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
  await expect.poll(() => seen.length).toBe(1);
  expect((seen[0] as NodeJS.ErrnoException).code).toBe('ECONNRESET');
});
