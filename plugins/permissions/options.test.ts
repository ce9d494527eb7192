/** The `auth:` section: implied loading, defaults, and one-line errors for what cannot work. */
import { describe, expect, it } from 'vitest';
import { planError, planYaml, pluginNames, yaml } from '../../test/loader/temp-plan.ts';

const servers = ['proxy:', '  servers:', '    - name: n8n', '      type: stdio', '      connection: { command: node }'];

describe('loading', () => {
  it('is implied by an auth: section, after health and before the transports', async () => {
    const plan = await planYaml(yaml('auth:', '  permissions:', '    "n8n:*": ["scope:dev"]', ...servers));
    expect(pluginNames(plan)).toEqual(['health', 'metrics', 'permissions', 'stdio']);
    expect(plan.plugins[2]!.from).toBe('implied');
  });

  it('comes after authentication when the oauth: section implies auth-okta', async () => {
    const oauth = ['oauth:', '  authorization_servers: ["https://acme.okta.com/oauth2/default"]'];
    const plan = await planYaml(yaml(...oauth, 'auth:', '  permissions:', '    "n8n:*": ["scope:dev"]', ...servers));
    expect(pluginNames(plan)).toEqual(['health', 'metrics', 'auth-okta', 'permissions', 'stdio']);
  });

  it('is not implied without an auth: section', async () => {
    expect(pluginNames(await planYaml(yaml(...servers)))).toEqual(['health', 'metrics', 'stdio']);
  });

  it("reads the original product's auth: section, with its defaults", async () => {
    const plan = await planYaml(
      yaml(
        'auth:',
        '  claims: ["groups", "roles"]',
        '  mappings:',
        '    "groups:Developers": ["scope:dev"]',
        '    "roles:Admin": ["scope:admin"]',
        '  permissions:',
        '    "n8n:*": ["scope:dev"]',
        '    "admin:user_management": ["scope:admin"]',
        '  options:',
        '    scope_mode: "any"',
        '    default_scope: null',
        ...servers,
      ),
    );
    expect(plan.plugins.find((p) => p.definition.name === 'permissions')!.options).toEqual({
      claims: ['groups', 'roles'],
      mappings: { 'groups:Developers': ['scope:dev'], 'roles:Admin': ['scope:admin'] },
      permissions: { 'n8n:*': ['scope:dev'], 'admin:user_management': ['scope:admin'] },
      options: { scope_mode: 'any', default_scope: null },
      endpoints: {},
    });
  });

  it('defaults everything: no claims, no patterns, any, default_scope null (deny)', async () => {
    const plan = await planYaml(yaml('auth: {}'));
    expect(plan.plugins.find((p) => p.definition.name === 'permissions')!.options).toEqual({
      claims: [],
      mappings: {},
      permissions: {},
      options: { scope_mode: 'any', default_scope: null },
      endpoints: {},
    });
  });

  it('accepts options in a plugins: entry too', async () => {
    const plan = await planYaml(
      yaml('plugins:', '  - use: permissions', '    options:', '      options: { default_scope: "scope:basic" }'),
    );
    expect(plan.plugins[0]!.options).toMatchObject({ options: { scope_mode: 'any', default_scope: 'scope:basic' } });
  });
});

describe('errors', () => {
  const auth = (...lines: string[]) => planError(yaml('auth:', ...lines));

  it('refuses a pattern without ":" and says how to write it', async () => {
    const error = await auth('  permissions:', '    "n8n": ["scope:dev"]');
    expect(error).toMatchObject({
      code: 'GW_ERR_PLUGIN_OPTIONS',
      plugin: 'permissions',
      path: 'auth.permissions.n8n',
      line: 3,
    });
    expect(error.message).toBe('permission pattern "n8n" has no ":"; a pattern is "<server>:<tool>" (globs with *)');
    expect(error.fix).toBe(
      'write "n8n:*" for everything of server "n8n", or "*:n8n" for the tool "n8n" of every server',
    );
  });

  it('refuses a pattern with an empty side', async () => {
    expect((await auth('  permissions:', '    ":echo": []')).message).toContain('has no server before ":"');
    expect((await auth('  permissions:', '    "n8n:": []')).message).toContain('has nothing after ":"');
  });

  it('refuses a mapping that is not claim:value', async () => {
    const error = await auth('  mappings:', '    "Developers": ["scope:dev"]');
    expect(error).toMatchObject({
      path: 'auth.mappings.Developers',
      fix: 'write the claim first, e.g. "groups:Developers"',
    });
  });

  it('refuses a scope_mode other than any or all', async () => {
    const error = await auth('  options:', '    scope_mode: some');
    expect(error).toMatchObject({ path: 'auth.options.scope_mode', fix: 'use one of "any", "all"' });
  });

  it('refuses unknown keys, with a spelling suggestion', async () => {
    expect(await auth('  permission: {}')).toMatchObject({
      path: 'auth.permission',
      fix: 'did you mean "permissions"?',
    });
    expect(await auth('  options:', '    default_scop: x')).toMatchObject({
      path: 'auth.options.default_scop',
      fix: 'did you mean "default_scope"?',
    });
  });

  it('refuses scopes that are not one word, and lists that are not lists', async () => {
    expect((await auth('  permissions:', '    "n8n:*": ["scope dev"]')).path).toBe('auth.permissions.n8n:*[0]');
    expect((await auth('  options:', '    default_scope: "a b"')).path).toBe('auth.options.default_scope');
    expect((await auth('  permissions:', '    "n8n:*": "scope:dev"')).message).toContain('expected array');
    expect((await auth('  claims: groups')).message).toContain('expected array');
  });
});
