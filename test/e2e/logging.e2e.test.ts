/**
 * Logs an operator can use and share: one access line per HTTP request and one per MCP operation,
 * with the fields the README documents; and no secret in them: not the client's token, not an
 * upstream credential from the configuration, not tool arguments, not even when a plugin tries.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, textOf } from '../helpers/client.ts';
import { startIdp, type Idp } from '../helpers/idp.ts';
import {
  binPath,
  cleanEnv,
  runCli,
  startFixtureHttp,
  startGateway,
  stopChild,
  tempDir,
  type FixtureHttp,
  type RunningGateway,
} from '../helpers/processes.ts';
import { stdioFixture } from '../helpers/servers.ts';

const PUBLIC_URL = 'http://mcp-gateway.test';
const secrets = {
  upstreamToken: 'upstream-bearer-1f2e3d4c5b6a',
  upstreamKey: 'upstream-header-key-0a9b8c7d',
  pluginKey: 'plugin-api-key-5e6f7a8b9c',
  argument: 'card-4111-1111-1111-1111',
};

let idp: Idp;
let web: FixtureHttp;
let gateway: RunningGateway;
let client: Client;
let token: string;

beforeAll(async () => {
  idp = await startIdp();
  web = await startFixtureHttp('web');
  const dir = tempDir();
  // A careless plugin: it logs a credential it was given. The logger still blanks it.
  const careless = join(dir, 'careless.mjs');
  writeFileSync(
    careless,
    `export default { name: 'careless', version: '1.0.0', setup: ({ logger }) => { logger.info({ key: process.env.PARTNER_API_KEY, auth: '${secrets.upstreamKey}' }, 'my settings are ${secrets.upstreamToken}'); } };\n`,
  );
  gateway = await startGateway({
    env: { WEB_TOKEN: secrets.upstreamToken, PARTNER_API_KEY: secrets.pluginKey },
    args: ['--plugins', careless],
    config: {
      server: { url: PUBLIC_URL },
      oidc: { issuer: idp.issuer },
      proxy: {
        servers: [
          {
            name: 'web',
            type: 'streamable-http',
            connection: { url: web.url },
            auth: { type: 'bearer', token: '${WEB_TOKEN}' },
          },
          stdioFixture('local'),
          {
            name: 'keyed',
            type: 'streamable-http',
            connection: { url: web.url },
            auth: { type: 'header', header: 'x-api-key', value: secrets.upstreamKey },
          },
        ],
      },
    },
  });
  token = await idp.token({ aud: `${PUBLIC_URL}/mcp`, sub: 'lena', scope: 'mcp' });
  client = await connectClient(gateway.mcpUrl, {
    headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-me-42' },
  });
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
  await web?.stop();
  await idp?.stop();
});

describe('access lines', () => {
  it('logs one line per HTTP request and one per MCP operation, with the documented fields', async () => {
    await client.callTool({ name: 'web__echo', arguments: { text: 'hi' } });
    await expect(client.callTool({ name: 'web__nope', arguments: {} })).rejects.toThrow();
    const mine = () => gateway.logs.filter((l) => l.request_id === 'trace-me-42');
    await expect
      .poll(() => mine().filter((l) => l.msg === 'mcp operation' && l.method === 'tools/call').length)
      .toBe(2);
    const [success, failure] = mine().filter((l) => l.msg === 'mcp operation' && l.method === 'tools/call');
    expect(success).toMatchObject({
      session_id: expect.any(String),
      server: 'web',
      tool: 'echo',
      subject: 'lena',
      outcome: 'success',
      duration_ms: expect.any(Number),
    });
    expect(failure).toMatchObject({ outcome: 'error', reason: 'unknown_name', subject: 'lena' });
    const http = mine().filter((l) => l.msg === 'http request' && l.method === 'POST');
    expect(http.length).toBeGreaterThanOrEqual(2);
    expect(http.find((l) => l.session_id && l.status === 200)).toMatchObject({
      path: '/mcp',
      route: 'mcp',
      status: 200,
      duration_ms: expect.any(Number),
      subject: 'lena',
      session_id: success!.session_id,
    });
  });

  it('names the plugin on every line a plugin logs', () => {
    const fromPlugin = gateway.logs.filter((l) => l.plugin === 'careless');
    expect(fromPlugin).toHaveLength(1);
  });
});

describe('health probes', () => {
  it('log their access line at debug: a /ready poll adds no info line', async () => {
    const quiet = await startGateway({ config: { proxy: { servers: [] } }, args: ['--log-level', 'info'] });
    try {
      for (const path of ['/ready', '/live', '/metrics', '/no-such-route'])
        await (await fetch(`${quiet.baseUrl}${path}`)).body?.cancel();
      // The 404's line is written in the same after-answer batch as the probes', or after it.
      await quiet.waitForLog((l) => l.msg === 'http request' && l.path === '/no-such-route');
      expect(quiet.logs.filter((l) => l.msg === 'http request').map((l) => l.path)).toEqual(['/no-such-route']);
    } finally {
      await quiet.stop();
    }
  });

  it('are still logged at debug', async () => {
    await (await fetch(`${gateway.baseUrl}/ready`, { headers: { 'x-request-id': 'probe-7' } })).body?.cancel();
    const line = await gateway.waitForLog((l) => l.request_id === 'probe-7' && l.msg === 'http request');
    expect(line).toMatchObject({ level: 20, path: '/ready', route: 'ready', status: 200 });
  });
});

describe('secrets', () => {
  it('never appear in the log: tokens, upstream credentials, arguments, what a plugin logs', async () => {
    expect(textOf(await client.callTool({ name: 'web__echo', arguments: { text: secrets.argument } }))).toBe(
      `web: ${secrets.argument}`,
    );
    await client.callTool({ name: 'keyed__headers', arguments: {} });
    await client.callTool({ name: 'web__headers', arguments: {} });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the last lines are written asynchronously
    const everything = JSON.stringify(gateway.logs) + gateway.stderr();
    for (const [what, value] of Object.entries({ ...secrets, clientToken: token })) {
      expect({ what, found: everything.includes(value) }).toEqual({ what, found: false });
    }
    expect(everything).toContain('[redacted]'); // the careless plugin's line, blanked
  });
});

describe('formats', () => {
  it('says where to connect in one line: the address bound, the /mcp path, the servers and tools', async () => {
    const file = join(tempDir(), 'mcp-gateway.yaml');
    writeFileSync(
      file,
      `server:\n  host: localhost\nproxy:\n  servers:\n    - { name: web, type: streamable-http, connection: { url: "${web.url}" } }\n    - ${JSON.stringify(stdioFixture('local'))}\n`,
    );
    // As a person runs it: text, the default level, `localhost` (the line names what it resolved to).
    const child = spawn(process.execPath, [binPath, 'serve', '--config', file, '--log-format', 'text', '--port', '0'], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const readyLine =
        /^\[[\d:.]+\] INFO: mcp-gateway ready: (http:\/\/(?:127\.0\.0\.1|\[::1\]):\d+\/mcp) \(2 servers, (\d+) tools\) \{/m;
      await expect.poll(() => readyLine.test(stdout), { timeout: 20_000 }).toBe(true);
      const [, url, tools] = readyLine.exec(stdout)!;
      expect(stdout).toContain(`INFO: listening {"address":"${new URL(url!).origin}"`);
      const direct = await connectClient(url!);
      try {
        expect((await direct.listTools()).tools).toHaveLength(Number(tools));
      } finally {
        await direct.close();
      }
    } finally {
      await stopChild(child);
    }
  });

  it('writes text for people with --log-format text', async () => {
    const file = join(tempDir(), 'mcp-gateway.yaml');
    writeFileSync(file, 'proxy:\n  servers: []\n');
    // A port already in use: the gateway logs its start, as text, then exits with one error line.
    const busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    try {
      const { port } = busy.address() as AddressInfo;
      const result = await runCli(['serve', '--config', file, '--log-format', 'text', '--port', String(port)]);
      expect(result.stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: starting mcp-gateway \{/m);
      expect(result.stdout).not.toMatch(/^\{/m);
      expect(result.stderr).toMatch(/^mcp-gateway: GW_ERR_LISTEN/);
    } finally {
      busy.close();
    }
  });
});
