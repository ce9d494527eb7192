/**
 * Catalogue shaping across real processes: the gateway's CLI with the oidc, permissions,
 * tool-filter, tool-search and audit plugins and two endpoints (search on `/mcp`, the whole list on
 * `/mcp/full`), two fixture servers as stdio children, tokens signed by a real authorization
 * server, the SDK client. A caller finds and calls what its scopes allow and nothing else; renamed
 * and hidden tools are so in every list, search and call; the index follows an upstream's
 * `list_changed` and a SIGHUP reload; the audit record of a call made through `call_tool` names
 * the real tool.
 */
import { writeFileSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { connectClient, textOf } from '../helpers/client.ts';
import { startIdp, type Idp } from '../helpers/idp.ts';
import { startGateway, type RunningGateway } from '../helpers/processes.ts';
import { stdioFixture } from '../helpers/servers.ts';

const PUBLIC_URL = 'http://mcp-gateway.test';
const AUDIENCE = `${PUBLIC_URL}/mcp`;

let idp: Idp;
let gateway: RunningGateway;
let alice: Client;
let bob: Client;

const config = (addScopes: string[]) => ({
  server: { url: PUBLIC_URL },
  oidc: { issuer: idp.issuer },
  auth: {
    permissions: {
      'tool-search:*': [],
      'text:*': [],
      'math:add': addScopes,
      'math:*': ['mcp:admin'],
    },
  },
  endpoints: { full: { path: '/mcp/full' } },
  tool_filter: {
    servers: {
      text: { exclude: ['exit', 'freeze'], rename: { echo: 'say' }, prompts: { rename: { greet: 'hello' } } },
    },
  },
  tool_search: { endpoints: ['default'], results: 5 },
  audit: { sink: 'stdout' },
  proxy: { servers: [stdioFixture('math'), stdioFixture('text')] },
});

const connectAs = async (sub: string, scope: string, path = '/mcp') =>
  connectClient(new URL(path, gateway.mcpUrl).href, {
    headers: { authorization: `Bearer ${await idp.token({ aud: AUDIENCE, sub, scope })}` },
  });

const found = async (client: Client, query: string) => {
  const result = await client.callTool({ name: 'search_tools', arguments: { query } });
  return (result.structuredContent as { tools: { name: string }[] }).tools.map((t) => t.name);
};

const callThrough = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name: 'call_tool', arguments: { name, arguments: args } });

beforeAll(async () => {
  idp = await startIdp();
  gateway = await startGateway({ config: config(['mcp:math']) });
  alice = await connectAs('alice', 'mcp:math');
  bob = await connectAs('bob', 'mcp:other');
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await gateway?.stop();
  await idp?.stop();
});

it('lists the three tools; each caller finds and calls what its scopes allow, and nothing else', async () => {
  for (const client of [alice, bob]) {
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['search_tools', 'describe_tool', 'call_tool']);
  }
  expect((await found(alice, 'add two numbers'))[0]).toBe('math__add');
  expect(textOf(await callThrough(alice, 'math__add', { a: 2, b: 3 }))).toBe('5');

  expect(await found(bob, 'add two numbers')).not.toContain('math__add');
  const refused = await callThrough(bob, 'math__add', { a: 2, b: 3 });
  expect(refused).toMatchObject({
    isError: true,
    content: [{ text: 'Unknown tool: "math__add". search_tools finds tools.' }],
  });
  // What bob may use, he finds and calls.
  expect(await found(bob, 'echoes its text')).toContain('text__say');
  expect(textOf(await callThrough(bob, 'text__say', { text: 'hi' }))).toContain('hi');
});

it('renamed and hidden tools are so in the whole list, in calls, in search and in the audit record', async () => {
  const full = await connectAs('bob', 'mcp:other', '/mcp/full');
  try {
    const names = (await full.listTools()).tools.map((t) => t.name);
    expect(names).toContain('text__say');
    for (const gone of ['text__echo', 'text__exit', 'text__freeze', 'search_tools', 'math__add']) {
      expect(names).not.toContain(gone);
    }
    expect(textOf(await full.callTool({ name: 'text__say', arguments: { text: 'direct' } }))).toContain('direct');
    await expect(full.callTool({ name: 'text__echo', arguments: { text: 'x' } })).rejects.toThrow(/Unknown tool/);
    expect((await full.listPrompts()).prompts.map((p) => p.name)).toContain('text__hello');
    expect((await full.getPrompt({ name: 'text__hello', arguments: { who: 'Ann' } })).messages).toHaveLength(1);
  } finally {
    await full.close();
  }
  expect(await found(bob, 'exit the server process')).not.toContain('text__exit');
  expect(await callThrough(bob, 'text__echo', { text: 'x' })).toMatchObject({ isError: true });
  // The direct call on /mcp/full: its audit record and access line name the endpoint.
  const audit = await gateway.waitForLog(
    (line) => line.type === 'audit' && line.exposed === 'text__say' && line.endpoint === 'full',
  );
  expect(audit).toMatchObject({ server: 'text', name: 'echo', subject: 'bob' });
  expect(audit.via).toBeUndefined();
  const access = await gateway.waitForLog((line) => line.msg === 'mcp operation' && line.endpoint === 'full');
  expect(access).toMatchObject({ method: expect.any(String), subject: 'bob' });
});

it('the audit record of a call through call_tool names the real tool, beside the record of call_tool', async () => {
  await callThrough(alice, 'math__add', { a: 1, b: 1 });
  const audit = await gateway.waitForLog((line) => line.type === 'audit' && line.name === 'add');
  expect(audit).toMatchObject({ subject: 'alice', server: 'math', exposed: 'math__add', via: 'call_tool' });
  const outer = gateway.logs.find(
    (line) => line.type === 'audit' && line.name === 'call_tool' && line.request_id === audit.request_id,
  );
  expect(outer).toMatchObject({ server: 'tool-search', subject: 'alice' });
});

it("the index follows an upstream's list_changed", async () => {
  expect(await found(bob, 'transcribe podcast')).not.toContain('text__transcribe_podcast');
  await callThrough(bob, 'text__add_tool', { name: 'transcribe_podcast' });
  await vi.waitFor(async () => expect(await found(bob, 'transcribe podcast')).toContain('text__transcribe_podcast'), {
    timeout: 10_000,
  });
});

it('follows a reload that takes a tool away from a caller', async () => {
  const before = gateway.logs.length;
  writeFileSync(gateway.configFile, stringify(config(['mcp:admin'])));
  gateway.child.kill('SIGHUP');
  const reload = await gateway.waitForLog(
    (line) => gateway.logs.indexOf(line) >= before && /^configuration reload/.test(String(line.msg)),
  );
  expect(reload.msg).toBe('configuration reloaded');
  expect(await found(alice, 'add two numbers')).not.toContain('math__add');
  expect(await callThrough(alice, 'math__add', { a: 2, b: 3 })).toMatchObject({ isError: true });
});
