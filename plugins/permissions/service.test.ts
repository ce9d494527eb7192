/**
 * The `permissions` service tells what the hooks decide: the same policy, the rule that decided and
 * the scopes it needs, for any principal (a status page asks it about synthetic ones).
 */
import { expect, it } from 'vitest';
import type { Principal } from '../../core/kernel/context.ts';
import { makeKernel, operationCtx, planned } from '../../test/kernel/helpers.ts';
import permissions from './index.ts';
import { optionsSchema } from './options.ts';

const options = optionsSchema.parse({
  claims: ['groups'],
  mappings: { 'groups:Developers': ['scope:dev'] },
  permissions: { 'srv:*': ['scope:dev'], 'srv:delete_*': ['scope:admin', 'scope:root'], '*:search': [] },
  options: { scope_mode: 'all', default_scope: 'scope:other' },
});

const dev: Principal = { subject: 'dana', scopes: ['scope:x'], claims: { groups: ['Developers'] } };

it('explains decisions with the rule and scopes, as the list hooks apply them', async () => {
  const kernel = makeKernel(planned(permissions, options));
  await kernel.setup();
  const service = kernel.services.get('permissions')!;
  expect(service.scopesOf(dev)).toEqual(['scope:x', 'scope:dev']);
  expect(service.decide(dev, 'tool', 'srv', 'echo')).toEqual({
    allowed: true,
    rule: 'srv:*',
    requiredScopes: ['scope:dev'],
    scopeMode: 'all',
  });
  expect(service.decide(dev, 'tool', 'srv', 'delete_all')).toEqual({
    allowed: false,
    rule: 'srv:delete_*',
    requiredScopes: ['scope:admin', 'scope:root'],
    scopeMode: 'all',
  });
  expect(service.decide(undefined, 'tool', 'other', 'search')).toMatchObject({ allowed: true, rule: '*:search' });
  expect(service.decide(dev, 'prompt', 'other', 'p')).toMatchObject({
    allowed: false,
    rule: 'options.default_scope',
    requiredScopes: ['scope:other'],
  });

  const tools = ['echo', 'delete_all'].map((name) => ({
    server: 'srv',
    name,
    value: { name: `srv__${name}`, inputSchema: { type: 'object' as const } },
  }));
  const listed = await kernel.runList('onListTools', tools, { ...operationCtx(), principal: dev });
  expect(listed.map((t) => t.name)).toEqual(
    tools.filter((t) => service.decide(dev, 'tool', 'srv', t.name).allowed).map((t) => t.name),
  );
});
