/**
 * `HttpClient` and its response bodies against a real HTTP server: a body is delivered whole
 * whenever it is read (before or after it has all come), large bodies wait for their reader,
 * and aborting, cancelling or discarding does what the transports rely on.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { JSONRPCMessage } from '../../core/kernel/index.ts';
import { HttpClient, readBody, readEventStream } from '../../core/lib/http/index.ts';
import { cleanupAfterEach } from '../helpers/cleanup.ts';

const cleanup = cleanupAfterEach();

interface Served {
  readonly client: HttpClient;
  /** The client ports of the connections the server saw, one entry per request. */
  readonly ports: number[];
  /** Settles when a connection closes. */
  readonly closed: () => Promise<void>;
}

async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  const ports: number[] = [];
  let onClose: (() => void) | undefined;
  const server = createServer((req, res) => {
    ports.push(req.socket.remotePort!);
    req.socket.once('close', () => onClose?.());
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new HttpClient(new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`));
  cleanup(() => new Promise((resolve) => (client.close(), server.closeAllConnections(), server.close(resolve))));
  return { client, ports, closed: () => new Promise<void>((resolve) => (onClose = resolve)) };
}

const get = (signal = AbortSignal.timeout(5000)) => ({ method: 'GET' as const, headers: {}, signal });

it('delivers a body that has all come before it is read, cut characters and all', async () => {
  const text = 'héllo wörld ✓'.repeat(100);
  const bytes = Buffer.from(text);
  const { client } = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-seen': ['a', 'b'] as never });
    // Split inside a multi-byte character.
    res.write(bytes.subarray(0, 2));
    res.end(bytes.subarray(2));
  });
  const response = await client.exchange(get());
  expect(response.statusCode).toBe(200);
  expect(response.headers['x-seen']).toEqual(['a', 'b']);
  await sleep(50); // the whole body is in before anyone reads it
  expect(await readBody(response)).toBe(text);
});

it('holds a large unread body back until it is read, then delivers all of it', async () => {
  const big = Buffer.alloc(4 * 1024 * 1024, 'x');
  let finished = false;
  const { client } = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(big, () => (finished = true));
  });
  const response = await client.exchange(get());
  await sleep(200);
  // Paused: the server cannot have written 4 MB into a connection nobody reads.
  expect(finished).toBe(false);
  expect((await readBody(response)).length).toBe(big.length);
});

it('reuses the connection of a discarded body', async () => {
  const served = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ignored'));
  (await served.client.exchange(get())).body.discard();
  await sleep(20);
  expect(await readBody(await served.client.exchange(get()))).toBe('ignored');
  expect(served.ports).toHaveLength(2);
  expect(served.ports[1]).toBe(served.ports[0]);
});

it('stops an event stream when its signal aborts or it is cancelled: the reader gets the error, the connection closes', async () => {
  const served = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(
      `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { n: 1 } })}\n\n`,
    );
  });
  const controller = new AbortController();
  const read: JSONRPCMessage[] = [];
  const stream = readEventStream(await served.client.exchange(get(controller.signal)), {
    onMessage: (message) => read.push(message),
  });
  await expect.poll(() => read).toHaveLength(1);
  const closed = served.closed();
  controller.abort(new Error('no longer wanted'));
  await expect(stream).rejects.toThrow('no longer wanted');
  await closed;

  const again = readBody(await served.client.exchange(get()));
  const closedAgain = served.closed();
  await sleep(20);
  const response = await served.client.exchange(get());
  response.body.cancel();
  await expect(readBody(response)).rejects.toThrow('cancelled');
  await closedAgain;
  await expect(Promise.race([again, sleep(10).then(() => 'still open')])).resolves.toBe('still open');
});

it("rejects with the signal's reason when it aborts before the answer, or before the exchange", async () => {
  const { client } = await serve(() => {}); // never answers
  const controller = new AbortController();
  const pending = client.exchange(get(controller.signal));
  await sleep(20);
  controller.abort(new Error('gave up'));
  await expect(pending).rejects.toThrow('gave up');
  await expect(client.exchange(get(AbortSignal.abort(new Error('too late'))))).rejects.toThrow('too late');
});

it('rejects when the server cannot be reached, with the connection error', async () => {
  const client = new HttpClient(new URL('http://127.0.0.1:1/mcp'));
  cleanup(() => client.close());
  await expect(client.exchange(get())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});
