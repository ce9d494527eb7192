/**
 * The catalogue-shaping example (config/examples/catalogue-shaping.yaml) as a user runs it: the
 * gateway's CLI in front of the reference server "everything", the SDK client on each of its
 * three endpoints. The example is read as shipped; only the path of the server's launcher is made
 * absolute, since the gateway runs it from a temporary folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { connectClient, textOf } from '../helpers/client.ts';
import { repoRoot, startGateway, type RunningGateway } from '../helpers/processes.ts';

let gateway: RunningGateway;
const clients: Client[] = [];
const connect = async (path: string) => {
  const client = await connectClient(new URL(path, gateway.mcpUrl).href);
  clients.push(client);
  return client;
};
const names = async (client: Client) => (await client.listTools()).tools.map((t) => t.name);

beforeAll(async () => {
  const config = parse(readFileSync(join(repoRoot, 'config/examples/catalogue-shaping.yaml'), 'utf8'));
  config.proxy.servers[0].connection.args[0] = join(repoRoot, 'config/launch-everything.mjs');
  gateway = await startGateway({ config });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await gateway?.stop();
});

it('/mcp lists the search tools; a search finds the renamed tool by its new description, and call_tool calls it', async () => {
  const client = await connect('/mcp');
  expect(await names(client)).toEqual(['search_tools', 'describe_tool', 'call_tool']);
  const found = await client.callTool({ name: 'search_tools', arguments: { query: 'add two numbers' } });
  const tools = (found.structuredContent as { tools: { name: string; description: string }[] }).tools;
  expect(tools[0]).toMatchObject({
    name: 'everything__add',
    description: 'Adds two numbers a and b, and returns their sum.',
  });
  const sum = await client.callTool({
    name: 'call_tool',
    arguments: { name: 'everything__add', arguments: { a: 2, b: 3 } },
  });
  expect(textOf(sum)).toContain('5');
});

it('/mcp/full lists every tool but the hidden ones, under their shaped names', async () => {
  const listed = await names(await connect('/mcp/full'));
  expect(listed).toEqual(expect.arrayContaining(['everything__add', 'everything__echo']));
  expect(listed.some((name) => name.startsWith('everything__toggle-'))).toBe(false);
  expect(listed).not.toContain('everything__get-sum');
  expect(listed).not.toContain('search_tools');
});

it('/mcp/math lists and calls its two tools only', async () => {
  const client = await connect('/mcp/math');
  expect((await names(client)).sort()).toEqual(['everything__add', 'everything__echo']);
  expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: 'hi' } }))).toContain('hi');
  await expect(client.callTool({ name: 'everything__get-env', arguments: {} })).rejects.toThrow(/Unknown tool/);
});
