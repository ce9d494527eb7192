/**
 * The http sink against a real collector (a `node:http` server in this process): records arrive in
 * batches of `batch_size`, with the bearer token from the environment, the rest at shutdown; a
 * failed POST is retried, a refused one is dropped and counted (scraped from `/metrics`).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { principalHeader } from '../../test/fixtures/plugins/claims-principal.ts';
import { parseExposition } from '../../test/helpers/exposition.ts';
import { openSession, rpc } from '../../test/helpers/in-process.ts';
import { repoRoot } from '../../test/helpers/processes.ts';
import { stdioFixture } from '../../test/helpers/servers.ts';
import type { AuditRecord } from './record.ts';

const claimsPlugin = join(repoRoot, 'test/fixtures/plugins/claims-principal.ts');
const dana = { [principalHeader]: JSON.stringify({ sub: 'dana', scopes: ['scope:dev'] }) };
const TOKEN_ENV = 'MCPGW_AUDIT_TEST_TOKEN';

interface Post {
  readonly headers: IncomingHttpHeaders;
  readonly records: AuditRecord[];
}

interface Collector {
  readonly url: string;
  readonly posts: Post[];
  close(): Promise<void>;
}

/** A collector answering each POST with `statusOf(n)` (n counts from 1). */
async function startCollector(statusOf: (n: number) => number = () => 200): Promise<Collector> {
  const posts: Post[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      posts.push({ headers: req.headers, records: JSON.parse(body) as AuditRecord[] });
      res.writeHead(statusOf(posts.length)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    posts,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let gateway: TestGateway | undefined;
let collector: Collector | undefined;
afterEach(async () => {
  await gateway?.close();
  await collector?.close();
  gateway = collector = undefined;
  delete process.env[TOKEN_ENV];
});

async function start(http: Record<string, unknown>): Promise<{ gateway: TestGateway; sid: string }> {
  gateway = await startTestGateway({
    config: {
      auth: { permissions: { 'alpha:*': ['scope:dev'] } },
      audit: { sink: 'http', http: { url: collector!.url, ...http } },
      proxy: { servers: [stdioFixture('alpha')] },
    },
    plugins: [claimsPlugin],
  });
  return { gateway, sid: await openSession(gateway, dana) };
}

const echo = (g: TestGateway, sid: string, text: string) =>
  rpc(g, sid, 'tools/call', { name: 'alpha__echo', arguments: { text } }, dana);

async function auditMetrics(g: TestGateway) {
  const exposition = parseExposition(await (await g.request('/metrics')).text());
  return {
    dropped: exposition.series('mcp_gateway_audit_dropped_total'),
    written: exposition.value('mcp_gateway_audit_records_total'),
  };
}

describe('http sink', () => {
  it('POSTs batches of batch_size with the bearer token, and the rest at shutdown', async () => {
    collector = await startCollector();
    process.env[TOKEN_ENV] = 'collector-secret-42';
    const { gateway: g, sid } = await start({ token_env: TOKEN_ENV, batch_size: 2, flush_interval: '1m' });
    for (const text of ['one', 'two', 'three', 'four', 'five']) await echo(g, sid, text);
    await until('two batches', () => collector!.posts.length === 2);
    // A batch is counted once the collector's answer is back, a moment after the collector has it.
    await until('four records counted', async () => (await auditMetrics(g)).written === 4);
    await g.close(); // the fifth waits for its batch to fill; the shutdown flushes it
    expect(collector.posts.map((post) => post.records.length)).toEqual([2, 2, 1]);
    for (const { headers } of collector.posts) {
      expect(headers.authorization).toBe('Bearer collector-secret-42');
      expect(headers['content-type']).toBe('application/json');
    }
    const records = collector.posts.flatMap((post) => post.records);
    expect(records.map((r) => [r.type, r.subject, r.exposed, r.decision, r.outcome])).toEqual(
      Array.from({ length: 5 }, () => ['audit', 'dana', 'alpha__echo', 'allowed', 'success']),
    );
    expect(JSON.stringify(records)).not.toContain('collector-secret-42');
  });

  it('retries a failed POST with backoff', async () => {
    collector = await startCollector((n) => (n === 1 ? 503 : 200));
    const { gateway: g, sid } = await start({ batch_size: 1, flush_interval: 0, retry_backoff: '20ms' });
    await echo(g, sid, 'again');
    await until('the retry', () => collector!.posts.length === 2);
    expect(collector.posts[1]!.records).toEqual(collector.posts[0]!.records);
    expect(await auditMetrics(g)).toEqual({
      written: 1,
      dropped: { 'reason="queue_full"': 0, 'reason="shutdown"': 0, 'reason="sink_error"': 0 },
    });
  });

  it('drops a batch the collector refuses (4xx), without retrying, and counts it', async () => {
    collector = await startCollector(() => 400);
    const { gateway: g, sid } = await start({ batch_size: 1, flush_interval: 0, retry_backoff: '20ms' });
    await echo(g, sid, 'refused');
    await until('the POST', () => collector!.posts.length === 1);
    await until('the drop to be counted', async () => (await auditMetrics(g)).dropped['reason="sink_error"'] === 1);
    await new Promise((resolve) => setTimeout(resolve, 100)); // time for a retry, if there were one
    expect(collector.posts).toHaveLength(1);
    expect(await auditMetrics(g)).toMatchObject({ written: 0, dropped: { 'reason="sink_error"': 1 } });
  });

  it('refuses to start when the token variable is not set', async () => {
    collector = await startCollector();
    await expect(start({ token_env: TOKEN_ENV })).rejects.toThrow(
      `audit.http.token_env: the environment variable ${TOKEN_ENV} is not set`,
    );
  });
});
