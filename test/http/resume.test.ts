/**
 * A client reopening its GET stream with a `Last-Event-ID` this session never issued (it came from
 * another replica, or was dropped since) gets a fresh stream, not an error that would leave it
 * without one; ids are unique to each session's store, so a foreign id never names a local event.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gateway } from '../../core/engine/gateway.ts';
import { mcpHeaders, openSession, startInProcess } from '../helpers/in-process.ts';

let gateway: Gateway;
beforeAll(async () => (gateway = await startInProcess({ proxy: { servers: [] } })));
afterAll(() => gateway.stop());

const openGet = (session: string, lastEventId?: string) => {
  const abort = new AbortController();
  const headers = {
    ...mcpHeaders(session),
    accept: 'text/event-stream',
    ...(lastEventId && { 'last-event-id': lastEventId }),
  };
  return { abort, response: gateway.app.request('/mcp', { method: 'GET', headers, signal: abort.signal }) };
};

it('opens a fresh GET stream when the Last-Event-ID is unknown here', async () => {
  const session = await openSession(gateway.app);
  for (const foreign of ['1', 'deadbeef-3', 'whatever']) {
    const { abort, response } = openGet(session, foreign);
    const answered = await response;
    expect(answered.status).toBe(200);
    expect(answered.headers.get('content-type')).toContain('text/event-stream');
    abort.abort();
    await answered.body?.cancel().catch(() => {});
  }
});

it('still refuses a second GET stream while one is open', async () => {
  const session = await openSession(gateway.app);
  const first = openGet(session);
  expect((await first.response).status).toBe(200);
  const second = await openGet(session).response;
  expect(second.status).toBe(409);
  first.abort.abort();
});
