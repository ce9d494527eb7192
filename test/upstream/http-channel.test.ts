/**
 * The Streamable HTTP channel against tiny real upstreams: one that answers with an event stream
 * and keeps it open afterwards (as a server may, for late notifications): the answer must reach
 * the caller when it is read, not when the server gets round to ending the stream (here: never, so
 * waiting for the end fails the request's 5 s timeout); others that end their GET streams, go
 * away or forget the session, which the channel must report at once.
 */
import type { ServerResponse } from 'node:http';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { ErrorCodes } from '../../core/kernel/index.ts';
import { Cancellation } from '../../core/lib/cancellation.ts';
import { HttpClient, httpServerSettings, UpstreamCredentials } from '../../core/lib/http/index.ts';
import type { JSONRPCMessage } from '../../core/kernel/protocol.ts';
import { HttpChannel } from '../../plugins/streamable-http/http-channel.ts';
import { cleanupAfterEach } from '../helpers/cleanup.ts';
import { recordingServer } from '../helpers/http-server.ts';

const cleanup = cleanupAfterEach();
const event = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

function channelTo(url: string): HttpChannel {
  const client = new HttpClient(new URL(url));
  cleanup(() => client.close());
  return new HttpChannel(
    client,
    new UpstreamCredentials('test', httpServerSettings('the MCP endpoint').parse({ connection: { url } })),
    pino({ level: 'silent' }),
  );
}

const request = (id: number, method: string) => {
  const cancellation = Cancellation.following(AbortSignal.timeout(5000));
  return [{ jsonrpc: '2.0', id, method } as const, { cancellation, signal: cancellation.signal }] as const;
};

/** A session opened on `channel` (initialize, initialized), which starts its GET stream. */
async function openSession(channel: HttpChannel): Promise<void> {
  await channel.request(...request(1, 'initialize'));
  await channel.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

/** An upstream that opens session s1, and answers other POSTs and GETs with `post` and `get`. */
const sessionServer = (get: (res: ServerResponse) => void, post?: (res: ServerResponse) => void) =>
  recordingServer((req, res) => {
    if (req.method === 'GET') return get(res);
    const { id } = JSON.parse(req.body) as { id?: number };
    if (id === 1)
      return res
        .writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' })
        .end(JSON.stringify({ jsonrpc: '2.0', id, result: {} }));
    if (id === undefined) return res.writeHead(202).end();
    post?.(res);
  }, cleanup);

const lost = (channel: HttpChannel) => new Promise<Error | undefined>((resolve) => (channel.onclose = resolve));

it('passes on an answer as soon as it is read, with what came before it, while the stream stays open', async () => {
  const upstream = await recordingServer((req, res) => {
    const { id } = JSON.parse(req.body) as { id: number };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 's1' });
    res.write(event({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } }));
    res.write(event({ jsonrpc: '2.0', id, result: { done: true } }));
    // The stream is never ended: only the cleanup's closing the server ends it.
  }, cleanup);
  const url = `${upstream.url}/mcp`;
  const client = new HttpClient(new URL(url));
  cleanup(() => client.close());
  const channel = new HttpChannel(
    client,
    new UpstreamCredentials('open', httpServerSettings('the MCP endpoint').parse({ connection: { url } })),
    pino({ level: 'silent' }),
  );
  const related: JSONRPCMessage[] = [];
  const cancellation = Cancellation.following(AbortSignal.timeout(5000));
  const answer = await channel.request(
    { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'slow_to_close' } },
    {
      cancellation,
      signal: cancellation.signal,
      onMessage: (message) => related.push(message),
    },
  );
  expect(answer).toEqual({ jsonrpc: '2.0', id: 3, result: { done: true } });
  expect(related).toEqual([
    { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } },
  ]);
});

it('reopens its GET stream at once when the server ends it, and is lost as soon as the server refuses it', async () => {
  let streams = 0;
  const upstream = await sessionServer((res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // The first stream is ended by the server at once; the second stays open until the server goes.
    if (++streams === 1) res.end();
  });
  const channel = channelTo(`${upstream.url}/mcp`);
  const closed = lost(channel);
  await openSession(channel);
  const gets = () => upstream.seen.filter((r) => r.method === 'GET');
  for (const started = Date.now(); gets().length < 2 && Date.now() - started < 5000; )
    await new Promise((r) => setTimeout(r, 10));
  expect(gets().length).toBe(2);
  // Not the 1 s (and then longer) pause of a stream that keeps ending.
  expect(gets()[1]!.at - gets()[0]!.at).toBeLessThan(500);

  // A second stream cut within 1 s of opening would be one more that keeps ending: reopened with backoff.
  await new Promise((r) => setTimeout(r, 1100));
  const goneAt = Date.now();
  await upstream.close();
  const error = (await closed) as NodeJS.ErrnoException;
  expect(error.code).toBe('ECONNREFUSED');
  expect(Date.now() - goneAt).toBeLessThan(500);
});

it('says the session is lost, not the connection, when the server forgot it: on its GET stream and on a request', async () => {
  const forgetting = await sessionServer((res) => res.writeHead(404).end());
  const channel = channelTo(`${forgetting.url}/mcp`);
  const closed = lost(channel);
  await openSession(channel);
  expect(await closed).toMatchObject({ code: ErrorCodes.UPSTREAM_SESSION_LOST });

  const refusing = await sessionServer(
    (res) => res.writeHead(405).end(),
    (res) => res.writeHead(404).end(),
  );
  const other = channelTo(`${refusing.url}/mcp`);
  const otherClosed = lost(other);
  await openSession(other);
  await expect(other.request(...request(2, 'tools/call'))).rejects.toMatchObject({
    code: ErrorCodes.UPSTREAM_SESSION_LOST,
  });
  expect(await otherClosed).toMatchObject({ code: ErrorCodes.UPSTREAM_SESSION_LOST });
});

it('sends a 2026-07-28 request outside the session, with headers from its body, and reads an error status with a JSON-RPC body as the answer', async () => {
  const upstream = await sessionServer(
    (res) => res.writeHead(405).end(),
    (res) =>
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32601, message: 'Method not found' } })),
  );
  const channel = channelTo(`${upstream.url}/mcp`);
  let closed = false;
  channel.onclose = () => (closed = true);
  await openSession(channel);
  const [, options] = request(2, 'tools/call');
  const _meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };
  const answer = await channel.request(
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'grüße', _meta } },
    options,
  );
  expect(answer).toEqual({ jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found' } });
  expect(closed).toBe(false);
  const sent = upstream.seen.at(-1)!.headers;
  expect(sent['mcp-session-id']).toBeUndefined();
  expect(sent).toMatchObject({
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': `=?base64?${Buffer.from('grüße').toString('base64')}?=`,
  });
});
