/**
 * A policy per MCP endpoint (`auth.endpoints`): its table and options replace the shared ones
 * there, for the list filter, the call checks and the `permissions` service alike; claims and
 * mappings stay shared. An endpoint the gateway does not have is refused at setup.
 */
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { parseGatewayConfig } from '../../core/boot/config/gateway-config.ts';
import type { Principal, ToolCallContext } from '../../core/kernel/context.ts';
import { Kernel } from '../../core/runner/kernel.ts';
import { gateway, operationCtx, planned } from '../../test/kernel/helpers.ts';
import permissions from './index.ts';
import { optionsSchema } from './options.ts';

const options = optionsSchema.parse({
  claims: ['groups'],
  mappings: { 'groups:eng': ['scope:eng'] },
  permissions: { 'srv:*': ['scope:eng'] },
  endpoints: {
    support: { permissions: { 'srv:read_*': ['scope:eng'] }, options: { scope_mode: 'all' } },
  },
});

const endpoint = (name: string, path: string) => ({ name, path, url: `http://x${path}`, resourceMetadata: '' });

function kernelWith(endpoints: readonly string[]) {
  return new Kernel({
    plugins: [planned(permissions, options)],
    config: parseGatewayConfig({}),
    baseDir: '/tmp',
    logger: pino({ level: 'silent' }),
    gateway: { ...gateway, endpoints: () => endpoints.map((name) => endpoint(name, `/mcp/${name}`)) },
  });
}

const dana: Principal = { subject: 'dana', scopes: [], claims: { groups: ['eng'] } };
const tools = ['read_file', 'write_file'].map((name) => ({
  server: 'srv',
  name,
  value: { name: `srv__${name}`, inputSchema: { type: 'object' as const } },
}));

it("applies each endpoint's own policy to lists, calls and the service", async () => {
  const kernel = kernelWith(['default', 'support']);
  await kernel.setup();
  const listed = async (name: string) =>
    (await kernel.runList('onListTools', tools, { ...operationCtx(), endpoint: name, principal: dana })).map(
      (t) => t.name,
    );
  expect(await listed('default')).toEqual(['read_file', 'write_file']);
  expect(await listed('support')).toEqual(['read_file']);
  // The same list object asked again on the other endpoint: no answer memoized for one leaks to the other.
  expect(await listed('default')).toEqual(['read_file', 'write_file']);

  const service = kernel.services.get('permissions')!;
  expect(service.decide(dana, 'tool', 'srv', 'write_file')).toMatchObject({ allowed: true, rule: 'srv:*' });
  // No pattern of support's own table matches it, and no default_scope lets it through.
  expect(service.decide(dana, 'tool', 'srv', 'write_file', 'support')).toMatchObject({ allowed: false });
  expect(service.decide(dana, 'tool', 'srv', 'read_file', 'support')).toMatchObject({ scopeMode: 'all' });
  expect(service.scopesOf(dana, 'support')).toEqual(['scope:eng']);

  const call = kernel.operation('onCallTool', async () => ({ content: [] }));
  const calling = (name: string) =>
    call({
      ...operationCtx(),
      method: 'tools/call',
      endpoint: name,
      principal: dana,
      server: 'srv',
      tool: 'write_file',
      name: 'srv__write_file',
      definition: tools[1]!.value,
      params: { name: 'srv__write_file' },
      arguments: undefined,
      upstreamHeaders: {},
    } as ToolCallContext);
  await expect(calling('default')).resolves.toEqual({ content: [] });
  await expect(calling('support')).rejects.toThrow(/Forbidden/);
});

it('refuses a policy for an endpoint the gateway does not have, naming those it has', async () => {
  await expect(kernelWith(['default', 'suport']).setup()).rejects.toThrow(
    /auth\.endpoints\.support: the gateway has no endpoint "support" \(it has: default, suport\)/,
  );
});
