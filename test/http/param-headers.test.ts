/**
 * `Mcp-Param-*` headers (SEP-2243) of 2026-07-28 calls: an argument that a tool's input schema
 * marks `x-mcp-header` must be repeated in its header, as its value or in the base64 form, and is
 * checked against the body (400 with -32020 when they disagree), before anything runs.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { modernRequest } from '../helpers/modern-request.ts';

let gateway: TestGateway;
let calls = 0;

beforeAll(async () => {
  gateway = await startTestGateway({
    servers: {
      geo: () => {
        const server = new Server({ name: 'geo', version: '1.0.0' }, { capabilities: { tools: {} } });
        server.setRequestHandler(ListToolsRequestSchema, async () => ({
          tools: [
            {
              name: 'weather',
              inputSchema: {
                type: 'object',
                properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, days: { type: 'number' } },
              },
            },
          ],
        }));
        server.setRequestHandler(CallToolRequestSchema, async () => {
          calls++;
          return { content: [{ type: 'text', text: 'sunny' }] };
        });
        return server;
      },
    },
  });
});
afterAll(() => gateway?.close());

const call = (region: string | undefined, headers: Record<string, string>) =>
  modernRequest(gateway, 'tools/call', { name: 'geo__weather', arguments: { region, days: 2 } }, headers);

const base64 = (value: string) => `=?base64?${Buffer.from(value).toString('base64')}?=`;

it.each([
  ['as it is', 'north', { 'mcp-param-region': 'north' }],
  ['in the base64 form', 'Zürich', { 'mcp-param-region': base64('Zürich') }],
  ['in the base64 form, though it is ASCII', 'north', { 'mcp-param-region': base64('north') }],
])('serves a call whose header repeats the argument %s', async (_case, region, headers) => {
  const before = calls;
  const response = await call(region, headers);
  expect(response.status).toBe(200);
  expect(calls).toBe(before + 1);
});

it.each([
  ['a missing header', 'north', {}],
  ['a header that names another value', 'north', { 'mcp-param-region': 'south' }],
  ['a base64 form that is not canonical', 'Hello', { 'mcp-param-region': '=?base64?SGVsbG8?=' }],
  ['a base64 form with characters outside the alphabet', 'Hello', { 'mcp-param-region': '=?base64?SGVs!!!bG8=?=' }],
  ['a header for an argument the call does not give', undefined, { 'mcp-param-region': 'north' }],
])('refuses %s with 400 and -32020, and runs nothing', async (_case, region, headers) => {
  const before = calls;
  const response = await call(region, headers);
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32020);
  expect(calls).toBe(before);
});
