/**
 * The records, exactly, through a gateway built in this process: a stdio fixture (`alpha`), the
 * permissions plugin implied by `auth:` (alpha's tools for scope:dev, `add` for scope:admin only),
 * callers injected by the test-only claims-principal plugin, and the file sink in a temporary
 * folder (the config's folder). One record per audited operation, allowed, denied or failed, in
 * the order they happened, as JSON lines; arguments only when asked for; never a credential.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { principalHeader } from '../../test/fixtures/plugins/claims-principal.ts';
import { mcpHeaders, messagesOf, openSession } from '../../test/helpers/in-process.ts';
import { repoRoot, tempDir } from '../../test/helpers/processes.ts';
import { stdioFixture } from '../../test/helpers/servers.ts';
import type { AuditRecord } from './record.ts';

const claimsPlugin = join(repoRoot, 'test/fixtures/plugins/claims-principal.ts');
const dana = { [principalHeader]: JSON.stringify({ sub: 'dana', claims: { groups: ['Developers'] } }) };
/** Sent with every request: a credential must never reach a record. */
const credential = { authorization: 'Bearer do-not-record-0123456789' };
const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A gateway with the audit file sink at `<dir>/trail/audit.jsonl` (the folder is created). */
async function auditedGateway(audit: Record<string, unknown> = {}) {
  const dir = tempDir('mcpgw-audit-');
  const gateway = await startTestGateway({
    config: {
      server: { url: 'https://mcp.example.com' },
      auth: {
        claims: ['groups'],
        mappings: { 'groups:Developers': ['scope:dev'] },
        permissions: { 'alpha:*': ['scope:dev'], 'alpha:add': ['scope:admin'] },
      },
      audit: { sink: 'file', file: { path: 'trail/audit.jsonl' }, ...audit },
      proxy: { servers: [stdioFixture('alpha')] },
    },
    plugins: [claimsPlugin],
    baseDir: dir,
  });
  return { gateway, file: join(dir, 'trail/audit.jsonl') };
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

async function untilLines(file: string, count: number, timeoutMs = 5000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (lines(file).length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} audit lines, found ${lines(file).length}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return lines(file);
}

/** One request as a caller, with a request id of our choosing. */
async function send(
  gateway: TestGateway,
  sessionId: string,
  requestId: string,
  method: string,
  params: unknown,
  user: Record<string, string> = dana,
) {
  const response = await gateway.request('/mcp', {
    method: 'POST',
    headers: mcpHeaders(sessionId, { ...user, ...credential, 'x-request-id': requestId }),
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
  });
  const [message] = await messagesOf(response);
  return {
    status: response.status,
    message: message as { result?: unknown; error?: { code: number; message: string } },
  };
}

/** The fields every record has, with what varies from run to run matched by type. */
const base = (requestId: string, sessionId: string, subject: string | null = 'dana') => ({
  type: 'audit',
  timestamp: expect.stringMatching(iso),
  request_id: requestId,
  session_id: sessionId,
  endpoint: 'default',
  subject,
  duration_ms: expect.any(Number),
});

describe('records (file sink, arguments left out)', () => {
  let gateway: TestGateway;
  let file: string;
  let sid: string;
  let anonymousSid: string;
  const expected: Record<string, unknown>[] = [];

  /** Send, then wait for its record and check it; returns the response. */
  async function audited(
    requestId: string,
    method: string,
    params: unknown,
    record: Record<string, unknown>,
    user: Record<string, string> = dana,
  ) {
    const session = user === dana ? sid : anonymousSid;
    const response = await send(gateway, session, requestId, method, params, user);
    expected.push({ ...base(requestId, session, user === dana ? 'dana' : null), method, ...record });
    const written = await untilLines(file, expected.length);
    expect(JSON.parse(written.at(-1)!)).toEqual(expected.at(-1));
    return response;
  }

  beforeAll(async () => {
    ({ gateway, file } = await auditedGateway());
    sid = await openSession(gateway, dana);
    anonymousSid = await openSession(gateway);
  });
  afterAll(() => gateway?.close());

  it('an allowed tool call', async () => {
    const { message } = await audited(
      'req-echo',
      'tools/call',
      { name: 'alpha__echo', arguments: { text: 'hi' } },
      {
        kind: 'tool',
        server: 'alpha',
        name: 'echo',
        exposed: 'alpha__echo',
        decision: 'allowed',
        outcome: 'success',
        reason: null,
        error: null,
      },
    );
    expect(message.result).toEqual({ content: [{ type: 'text', text: 'alpha: hi' }] });
  });

  it('a call the permissions plugin denied (403 before the session), by a known and an anonymous caller', async () => {
    const denied = (message: string) => ({
      kind: 'tool',
      server: 'alpha',
      name: 'add',
      exposed: 'alpha__add',
      decision: 'denied',
      outcome: 'error',
      reason: 'denied',
      error: { code: -32003, message },
    });
    const { status } = await audited(
      'req-add',
      'tools/call',
      { name: 'alpha__add', arguments: { a: 1, b: 2 } },
      denied('Forbidden: tool "alpha__add" requires the scope scope:admin'),
    );
    expect(status).toBe(403);
    await audited(
      'req-anon',
      'tools/call',
      { name: 'alpha__echo', arguments: { text: 'x' } },
      {
        ...denied('Forbidden: tool "alpha__echo" requires the scope scope:dev'),
        name: 'echo',
        exposed: 'alpha__echo',
      },
      {},
    );
  });

  it('an unknown tool: the name the client used, no server', async () => {
    const { message } = await audited(
      'req-nope',
      'tools/call',
      { name: 'alpha__nope', arguments: {} },
      {
        kind: 'tool',
        server: null,
        name: null,
        exposed: 'alpha__nope',
        decision: 'allowed',
        outcome: 'error',
        reason: 'unknown_name',
        error: { code: -32602, message: expect.stringContaining('Unknown tool') },
      },
    );
    expect(message.error).toMatchObject({ code: -32602 });
  });

  it('a tool error', async () => {
    await audited(
      'req-fail',
      'tools/call',
      { name: 'alpha__fail', arguments: {} },
      {
        kind: 'tool',
        server: 'alpha',
        name: 'fail',
        exposed: 'alpha__fail',
        decision: 'allowed',
        outcome: 'tool_error',
        reason: null,
        error: null,
      },
    );
  });

  it('prompts, resources, subscriptions and completions', async () => {
    const allowed = { decision: 'allowed', outcome: 'success', reason: null, error: null };
    await audited(
      'req-greet',
      'prompts/get',
      { name: 'alpha__greet', arguments: { who: 'Ada' } },
      { kind: 'prompt', server: 'alpha', name: 'greet', exposed: 'alpha__greet', ...allowed },
    );
    const readme = { kind: 'resource', server: 'alpha', name: 'alpha://readme', exposed: 'alpha://readme' };
    await audited('req-read', 'resources/read', { uri: 'alpha://readme' }, { ...readme, ...allowed });
    await audited('req-sub', 'resources/subscribe', { uri: 'alpha://readme' }, { ...readme, ...allowed });
    await audited(
      'req-unknown-uri',
      'resources/read',
      { uri: 'alpha://nothing-here' },
      {
        kind: 'resource',
        server: null,
        name: null,
        exposed: 'alpha://nothing-here',
        decision: 'allowed',
        outcome: 'error',
        reason: 'unknown_name',
        error: expect.objectContaining({ code: expect.any(Number) }),
      },
    );
    // The fixture offers no completions: the upstream's error is the outcome.
    await audited(
      'req-complete',
      'completion/complete',
      { ref: { type: 'ref/prompt', name: 'alpha__greet' }, argument: { name: 'who', value: 'A' } },
      {
        kind: 'prompt',
        server: 'alpha',
        name: 'greet',
        exposed: 'alpha__greet',
        decision: 'allowed',
        outcome: 'error',
        reason: 'upstream_error',
        error: expect.objectContaining({ code: expect.any(Number) }),
      },
    );
  });

  it('writes exactly one JSON line per audited operation and nothing for the rest, without arguments or credentials', async () => {
    await send(gateway, sid, 'req-list', 'tools/list', {});
    await send(gateway, sid, 'req-prompts', 'prompts/list', {});
    await send(gateway, sid, 'req-unsub', 'resources/unsubscribe', { uri: 'alpha://readme' });
    await audited(
      'req-last',
      'tools/call',
      { name: 'alpha__echo', arguments: { text: 'last' } },
      {
        kind: 'tool',
        server: 'alpha',
        name: 'echo',
        exposed: 'alpha__echo',
        decision: 'allowed',
        outcome: 'success',
        reason: null,
        error: null,
      },
    );
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const records = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(records).toEqual(expected);
    for (const record of records) expect(Object.keys(record)).not.toContain('arguments');
    expect(text).not.toContain('do-not-record');
    expect(text).not.toContain('Developers'); // claims stay out: the subject says who
  });

  it('opens a new file when the file was moved away (rotation)', async () => {
    renameSync(file, `${file}.1`);
    await send(gateway, sid, 'req-rotated', 'tools/call', { name: 'alpha__echo', arguments: { text: 'after' } });
    const [line] = await untilLines(file, 1);
    expect(JSON.parse(line!)).toMatchObject({ request_id: 'req-rotated', exposed: 'alpha__echo' });
    expect(lines(`${file}.1`)).toHaveLength(expected.length);
  });
});

describe('records with include_arguments: true', () => {
  let gateway: TestGateway;
  let file: string;
  let sid: string;

  beforeAll(async () => {
    ({ gateway, file } = await auditedGateway({ include_arguments: true }));
    sid = await openSession(gateway, dana);
  });
  afterAll(() => gateway?.close());

  it('keeps the arguments of tool calls (allowed, denied, unknown) and prompts, and only theirs', async () => {
    await send(gateway, sid, 'a1', 'tools/call', {
      name: 'alpha__echo',
      arguments: { text: 'hi', nested: { n: [1, 2] } },
    });
    await send(gateway, sid, 'a2', 'tools/call', { name: 'alpha__add', arguments: { a: 1, b: 2 } });
    await send(gateway, sid, 'a3', 'tools/call', { name: 'alpha__nope', arguments: { q: 'x' } });
    await send(gateway, sid, 'a4', 'tools/call', { name: 'alpha__fail' });
    await send(gateway, sid, 'a5', 'prompts/get', { name: 'alpha__greet', arguments: { who: 'Ada' } });
    await send(gateway, sid, 'a6', 'resources/read', { uri: 'alpha://readme' });
    const records = (await untilLines(file, 6)).map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((r) => [r.request_id, r.decision, r.arguments])).toEqual([
      ['a1', 'allowed', { text: 'hi', nested: { n: [1, 2] } }],
      ['a2', 'denied', { a: 1, b: 2 }],
      ['a3', 'allowed', { q: 'x' }],
      ['a4', 'allowed', null],
      ['a5', 'allowed', { who: 'Ada' }],
      ['a6', 'allowed', undefined],
    ]);
    expect(Object.keys(records[5]!)).not.toContain('arguments');
  });
});

describe('file sink at boot', () => {
  it('refuses a path it cannot open, naming it', async () => {
    const dir = tempDir('mcpgw-audit-');
    writeFileSync(join(dir, 'taken'), ''); // a file where the folder should be
    const boot = startTestGateway({
      config: { audit: { sink: 'file', file: { path: 'taken/audit.jsonl' } }, proxy: { servers: [] } },
      baseDir: dir,
    });
    await expect(boot).rejects.toThrow(`audit.file.path: cannot open ${join(dir, 'taken/audit.jsonl')}: EEXIST`);
  });
});

describe('reload', () => {
  it('writes to the new sink from the next record on, and closes the old one with what it had', async () => {
    const { gateway, file } = await auditedGateway();
    const sessionId = await openSession(gateway, dana);
    await send(gateway, sessionId, 'before-reload', 'tools/call', { name: 'alpha__echo', arguments: { text: 'one' } });
    const moved = join(dirname(file), 'moved.jsonl');
    const raw = {
      server: { url: 'https://mcp.example.com' },
      auth: {
        claims: ['groups'],
        mappings: { 'groups:Developers': ['scope:dev'] },
        permissions: { 'alpha:*': ['scope:dev'], 'alpha:add': ['scope:admin'] },
      },
      audit: { sink: 'file', file: { path: 'trail/moved.jsonl' } },
      proxy: { servers: [stdioFixture('alpha')] },
    };
    const diff = await gateway.reload(raw); // the same plugins and folder as at start
    expect(diff).toMatchObject({ reloadedPlugins: ['audit'] });
    await send(gateway, sessionId, 'after-reload', 'tools/call', { name: 'alpha__echo', arguments: { text: 'two' } });
    const [after] = await untilLines(moved, 1);
    expect(JSON.parse(after!)).toMatchObject({ request_id: 'after-reload' });
    expect(lines(file).map((line) => (JSON.parse(line) as { request_id: string }).request_id)).toEqual([
      'before-reload',
    ]);
    await gateway.close();
  });
});
