/**
 * The Streamable HTTP channel against a tiny real upstream that answers with an event stream and
 * keeps it open afterwards (as a server may, for late notifications): the answer must reach the
 * caller when it is read, not when the server gets round to ending the stream (here: never, so
 * waiting for the end fails the request's 5 s timeout).
 */
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { Cancellation, HttpClient, httpServerSettings, UpstreamCredentials } from '../../core/index.ts';
import type { JSONRPCMessage } from '../../core/protocol.ts';
import { HttpChannel } from '../../plugins/streamable-http/http-channel.ts';
import { cleanupAfterEach } from '../helpers/cleanup.ts';
import { recordingServer } from '../helpers/http-server.ts';

const cleanup = cleanupAfterEach();
const event = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

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
  const channel = new HttpChannel(client, new UpstreamCredentials('open', httpServerSettings('the MCP endpoint').parse({ connection: { url } })), pino({ level: 'silent' }));
  const related: JSONRPCMessage[] = [];
  const cancellation = Cancellation.following(AbortSignal.timeout(5000));
  const answer = await channel.request({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'slow_to_close' } }, {
    cancellation,
    signal: cancellation.signal,
    onMessage: (message) => related.push(message),
  });
  expect(answer).toEqual({ jsonrpc: '2.0', id: 3, result: { done: true } });
  expect(related).toEqual([{ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } }]);
});
