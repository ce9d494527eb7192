/**
 * `mcp-gateway/testing`, as a plugin author uses it: a gateway in the test's process with the
 * plugin under test, an MCP server made in the test, and the SDK's client, with no port.
 */
import { createHash } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { definePlugin, RpcCodes, RpcError, z } from 'mcp-gateway';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import apiKeyAuth from '../../config/examples/plugins/api-key-auth.ts';
import { stdioFixture } from '../helpers/servers.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The upstream: one `echo` tool with structured output. Counts the servers made and closed. */
const made = { opened: 0, closed: 0 };
function echoServer(): McpServer {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Says it back', inputSchema: { text: z.string() }, outputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }),
  );
  server.registerTool('forbidden', { description: 'Never reached' }, async () => ({ content: [] }));
  made.opened++;
  const close = server.close.bind(server);
  server.close = async () => {
    made.closed++;
    await close();
  };
  return server;
}

/** The plugin under test: stamps results and refuses one tool. */
const stamp = definePlugin({
  name: 'stamp',
  version: '1.0.0',
  configSchema: z.strictObject({ mark: z.string() }),
  setup: ({ options }) => ({
    async onCallTool(call, next) {
      if (call.tool === 'forbidden') throw new RpcError(RpcCodes.FORBIDDEN, 'not for you');
      const result = await next();
      return { ...result, _meta: { ...result._meta, 'example.com/mark': options.mark } };
    },
  }),
});

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe('startTestGateway', () => {
  it('serves an in-process server through the plugin under test to the SDK client', async () => {
    gateway = await startTestGateway({
      plugins: [{ plugin: stamp, options: { mark: 'seen' } }],
      servers: { echo: echoServer },
    });
    const client = await gateway.connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['echo__echo', 'echo__forbidden']);
    const result = await client.callTool({ name: 'echo__echo', arguments: { text: 'hi' } });
    expect(result.structuredContent).toEqual({ text: 'hi' });
    expect(result._meta).toEqual({ 'example.com/mark': 'seen' });
    await expect(client.callTool({ name: 'echo__forbidden', arguments: {} })).rejects.toThrow('not for you');
    expect(gateway.status()).toMatchObject({ phase: 'ready', upstreams: [{ name: 'echo', state: 'ready' }] });
  });

  it('answers plain requests in-process, as fetch would', async () => {
    gateway = await startTestGateway({ servers: { echo: echoServer } });
    const live = await gateway.request('/live');
    expect(live.status).toBe(200);
    const refused = await gateway.request(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{not json',
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: RpcCodes.PARSE_ERROR } });
  });

  it('runs an auth plugin: a client without the key is refused with its challenge, one with it is served', async () => {
    const key = 'k-0123456789';
    gateway = await startTestGateway({
      plugins: [{ plugin: apiKeyAuth, options: { keys: [{ subject: 'ci', sha256: sha256(key) }] } }],
      servers: { echo: echoServer },
    });
    const anonymous = await gateway.request('/mcp', { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^ApiKey /);
    await expect(gateway.connect()).rejects.toThrow('this endpoint needs an API key');
    const client = await gateway.connect({ headers: { 'x-api-key': key } });
    expect((await client.callTool({ name: 'echo__echo', arguments: { text: 'k' } })).structuredContent).toEqual({
      text: 'k',
    });
  });

  it('takes configured servers and sections beside its own, and reloads a new configuration', async () => {
    gateway = await startTestGateway({ config: { plugins: ['stdio'] }, servers: { echo: echoServer } });
    const client = await gateway.connect();
    expect((await client.listTools()).tools).toHaveLength(2);
    const diff = await gateway.reload({ plugins: ['stdio'], proxy: { servers: [stdioFixture('tools')] } });
    expect(diff.added.map((server) => server.name)).toEqual(['tools']);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('echo__echo');
    expect(names.some((name) => name.startsWith('tools__'))).toBe(true);
  });

  it('closes the in-process servers it made when it closes', async () => {
    const before = { ...made };
    gateway = await startTestGateway({ servers: { echo: echoServer } });
    await (await gateway.connect()).listTools();
    const opened = made.opened - before.opened;
    expect(opened).toBeGreaterThan(0);
    await gateway.close();
    gateway = undefined;
    expect(made.closed - before.closed).toBe(opened);
  });

  it('fails to start with the config error of a plugin whose options are wrong', async () => {
    await expect(startTestGateway({ plugins: [{ plugin: stamp, options: { mrak: 'x' } }] })).rejects.toMatchObject({
      code: 'GW_ERR_PLUGIN_OPTIONS',
      plugin: 'stamp',
      message: expect.stringContaining('unknown key "mrak"'),
    });
  });
});
