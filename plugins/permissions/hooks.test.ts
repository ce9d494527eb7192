/**
 * The plugin's hooks in a real kernel, without HTTP: the operation hooks refuse on their own (defense
 * in depth, whatever path led to the call), list hooks filter per caller, and `onMcpMessage`
 * answers 403 only for guarded requests that name an existing item.
 */
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type {
  McpMessageContext,
  Principal,
  PromptGetContext,
  ResourceReadContext,
  ToolItem,
} from '../../core/kernel/context.ts';
import type { Kernel } from '../../core/runner/kernel.ts';
import { makeKernel, operationCtx, planned, rejection, text, toolCtx } from '../../test/kernel/helpers.ts';
import permissions from './index.ts';
import { optionsSchema } from './options.ts';

const options = optionsSchema.parse({
  claims: ['groups'],
  mappings: { 'groups:Developers': ['scope:dev'] },
  permissions: {
    'srv:*': ['scope:dev'],
    'srv:resource/public://*': [],
    'srv:prompt/admin_*': ['scope:admin', 'scope:root'],
  },
  options: { scope_mode: 'all' },
});

async function boot(): Promise<Kernel> {
  const kernel = makeKernel(planned(permissions, options));
  await kernel.setup();
  return kernel;
}

const dev: Principal = { subject: 'dana', scopes: [], claims: { groups: ['Developers'] } };
const stranger: Principal = { subject: 'sam', scopes: ['scope:other'], claims: { groups: 'Strangers' } };

describe('defense in depth: the operation hooks refuse by themselves', () => {
  it('throws FORBIDDEN from onCallTool, naming the tool as called, and never reaches the upstream', async () => {
    const kernel = await boot();
    const upstream = vi.fn(async () => text('ran'));
    const call = kernel.operation('onCallTool', upstream);
    const error = await rejection(call({ ...toolCtx(), principal: stranger }));
    expect(error).toMatchObject({
      code: 'GW_ERR_FORBIDDEN',
      rpcCode: -32003,
      status: 403,
      plugin: 'permissions',
      hook: 'onCallTool',
      message: 'Forbidden: tool "srv_echo" requires the scope scope:dev',
      data: { requiredScopes: ['scope:dev'] },
    });
    expect(upstream).not.toHaveBeenCalled();
    expect(await call({ ...toolCtx(), principal: dev })).toEqual(text('ran'));
    expect(upstream).toHaveBeenCalledOnce();
  });

  it('throws FORBIDDEN from onGetPrompt and onReadResource', async () => {
    const kernel = await boot();
    const prompt: PromptGetContext = {
      ...operationCtx(),
      method: 'prompts/get',
      principal: dev,
      server: 'srv',
      prompt: 'admin_reset',
      name: 'srv__admin_reset',
      params: { name: 'srv__admin_reset' },
      definition: { name: 'srv__admin_reset' },
      arguments: undefined,
      upstreamHeaders: {},
    };
    const get = kernel.operation('onGetPrompt', async () => ({ messages: [] }));
    expect(await rejection(get(prompt))).toMatchObject({
      code: 'GW_ERR_FORBIDDEN',
      message: 'Forbidden: prompt "srv__admin_reset" requires all of the scopes scope:admin, scope:root',
      data: { requiredScopes: ['scope:admin', 'scope:root'] },
    });

    const read = kernel.operation('onReadResource', async () => ({ contents: [] }));
    const resource = (uri: string, exposed = uri): ResourceReadContext => ({
      ...operationCtx(),
      method: 'resources/read',
      principal: undefined,
      server: 'srv',
      upstreamHeaders: {},
      uri,
      params: { uri: exposed },
    });
    // The message names the URI as the client sent it (here, qualified by the gateway).
    expect(await rejection(read(resource('private://x', 'mcp-gateway:srv:private://x')))).toMatchObject({
      message: 'Forbidden: resource "mcp-gateway:srv:private://x" requires the scope scope:dev',
    });
    expect(await read(resource('public://readme'))).toEqual({ contents: [] }); // an empty list: anyone
  });
});

describe('list hooks', () => {
  const tools: ToolItem[] = ['echo', 'add'].map((name) => ({
    server: 'srv',
    name,
    value: { name: `srv__${name}`, inputSchema: { type: 'object' } },
  }));
  const other: ToolItem = {
    server: 'other',
    name: 'echo',
    value: { name: 'other__echo', inputSchema: { type: 'object' } },
  };

  it('keeps what the caller may use, per caller, for the same list', async () => {
    const kernel = await boot();
    const list = [...tools, other];
    const as = async (principal: Principal | undefined) =>
      (await kernel.runList('onListTools', list, { ...operationCtx(), principal })).map((t) => t.value.name);
    expect(await as(dev)).toEqual(['srv__echo', 'srv__add']);
    expect(await as(stranger)).toEqual([]);
    expect(await as(undefined)).toEqual([]);
    expect(await as(dev)).toEqual(['srv__echo', 'srv__add']); // from the memo: same answer
    // The same scopes from another principal object get the same answer.
    expect(await as({ ...dev, subject: 'dave' })).toEqual(['srv__echo', 'srv__add']);
  });
});

describe('onMcpMessage', () => {
  const message = (method: string, target: McpMessageContext['target'], principal = stranger): McpMessageContext => ({
    message: { jsonrpc: '2.0', id: 3, method, params: {} },
    method,
    id: 3,
    target,
    sessionId: 's1',
    endpoint: 'default',
    principal,
    requestId: 'r1',
    logger: pino({ level: 'silent' }),
    state: {},
    http: undefined as never,
  });
  const target = { kind: 'tool', server: 'srv', name: 'echo', exposed: 'srv__echo' } as const;

  it('answers a denied tools/call with 403 insufficient_scope and a JSON-RPC error', async () => {
    const kernel = await boot();
    const delivered = vi.fn(async () => new Response('delivered'));
    const response = await kernel.operation(
      'onMcpMessage',
      delivered,
    )(message('tools/call', target, { ...stranger, oauth: true }));
    expect(delivered).not.toHaveBeenCalled();
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="scope:dev", resource_metadata="http://x/.well-known/oauth-protected-resource/mcp"',
    );
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: {
        code: -32003,
        message: 'Forbidden: tool "srv__echo" requires the scope scope:dev',
        data: { requiredScopes: ['scope:dev'] },
      },
    });
  });

  it('sends a caller that holds no OAuth token (an API key) no step-up challenge, only the 403', async () => {
    const kernel = await boot();
    const response = await kernel.operation(
      'onMcpMessage',
      async () => new Response('delivered'),
    )(message('tools/call', target));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(((await response.json()) as { error: { data: unknown } }).error.data).toEqual({
      requiredScopes: ['scope:dev'],
    });
  });

  it('lets through allowed requests, unknown names, and methods it does not guard', async () => {
    const kernel = await boot();
    const deliver = kernel.operation('onMcpMessage', async () => new Response('delivered'));
    expect(await (await deliver(message('tools/call', target, dev))).text()).toBe('delivered');
    expect(await (await deliver(message('tools/call', undefined))).text()).toBe('delivered');
    expect(await (await deliver(message('tools/list', undefined))).text()).toBe('delivered');
    const resource = { kind: 'resource', server: 'srv', name: 'private://x', exposed: 'private://x' } as const;
    expect(await (await deliver(message('resources/unsubscribe', resource))).text()).toBe('delivered');
    expect((await deliver(message('resources/subscribe', resource))).status).toBe(403);
    expect((await deliver(message('resources/read', resource))).status).toBe(403);
  });
});
