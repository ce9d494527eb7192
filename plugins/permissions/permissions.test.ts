/**
 * Permission tables over real upstreams: two fixture MCP servers run as stdio children (`alpha`,
 * `beta`), the permissions plugin implied by the `auth:` section, callers injected by the test-only
 * claims-principal plugin. For each caller, in both scope modes, with and without default_scope:
 * the exact tools, prompts, resources and templates it sees, and the exact fate of its calls
 * (a result, or 403 insufficient_scope naming the item), guessed names of hidden tools included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { baseTools } from '../../test/fixtures/fixture/tools.ts';
import { principalHeader } from '../../test/fixtures/plugins/claims-principal.ts';
import { mcpHeaders, messagesOf, openSession } from '../../test/helpers/in-process.ts';
import { stdioFixture } from '../../test/helpers/servers.ts';

const resourceMetadata = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

/** The fixture's tools, as every fixture server lists them. */
const fixtureTools = baseTools.map((tool) => tool.name);
const except = (...names: string[]) => fixtureTools.filter((t) => !names.includes(t));

const permissions = {
  'alpha:*': ['scope:dev'],
  'alpha:add': ['scope:math'], // more specific than alpha:*
  'alpha:prompt/*': [], // anyone, even anonymous
  'beta:echo': ['scope:dev', 'scope:ops'],
  'beta:e*': ['scope:ops'], // elicit, exit (echo has its own)
  '*:stats': ['scope:admin'], // beta only: alpha:* has a literal server, so it wins for alpha:stats
  'beta:resource/beta://items/*': ['scope:dev'], // the template and every URI it matches
  '*:resource/*': ['scope:admin'], // beta://readme; alpha's resources stay under alpha:*
};

type User = { sub: string; scopes?: string[]; claims?: Record<string, unknown> } | undefined;

const users = {
  anonymous: undefined,
  dev: { sub: 'dana', claims: { groups: ['Developers'] } },
  ops: { sub: 'oscar', claims: { groups: 'Ops' } },
  devops: { sub: 'devon', claims: { groups: ['Developers', 'Ops'] } },
  admin: { sub: 'ada', claims: { roles: ['Admin'], groups: 42 } }, // a number claim grants nothing
  math: { sub: 'max', scopes: ['scope:math'] }, // a token scope, no claims
  shouty: { sub: 'sam', claims: { groups: ['DEVELOPERS', 'developers'] } }, // case matters
} satisfies Record<string, User>;
type UserName = keyof typeof users;

interface Scenario {
  readonly title: string;
  readonly mode: 'any' | 'all';
  readonly defaultScope: string | null;
  /** `proxy.separator` and beta's `prefix`: patterns ignore both. */
  readonly separator?: string;
  readonly betaPrefix?: string;
  /** The tools each caller sees, by server. */
  readonly tools: Record<UserName, { alpha?: string[]; beta?: string[] }>;
}

const betaDefault = [
  'add',
  'fail',
  'rich',
  'slow',
  'headers',
  'sample',
  'roots',
  'roots_after_change',
  'log',
  'add_tool',
  'touch',
  'counter',
  'freeze',
];
const alphaDev = except('add');

const scenarios: Scenario[] = [
  {
    title: 'scope_mode any, default_scope null',
    mode: 'any',
    defaultScope: null,
    tools: {
      anonymous: {},
      dev: { alpha: alphaDev, beta: ['echo'] },
      ops: { beta: ['echo', 'elicit', 'exit'] },
      devops: { alpha: alphaDev, beta: ['echo', 'elicit', 'exit'] },
      admin: { beta: ['stats'] },
      math: { alpha: ['add'] },
      shouty: {},
    },
  },
  {
    title: 'scope_mode all, default_scope null (separator ":", beta prefixed "b")',
    mode: 'all',
    defaultScope: null,
    separator: ':',
    betaPrefix: 'b',
    tools: {
      anonymous: {},
      dev: { alpha: alphaDev },
      ops: { beta: ['elicit', 'exit'] },
      devops: { alpha: alphaDev, beta: ['echo', 'elicit', 'exit'] },
      admin: { beta: ['stats'] },
      math: { alpha: ['add'] },
      shouty: {},
    },
  },
  {
    title: 'scope_mode any, default_scope scope:dev',
    mode: 'any',
    defaultScope: 'scope:dev',
    tools: {
      anonymous: {},
      dev: { alpha: alphaDev, beta: ['echo', ...betaDefault] },
      ops: { beta: ['echo', 'elicit', 'exit'] },
      devops: { alpha: alphaDev, beta: except('stats') },
      admin: { beta: ['stats'] },
      math: { alpha: ['add'] },
      shouty: {},
    },
  },
  {
    title: 'scope_mode all, default_scope scope:dev',
    mode: 'all',
    defaultScope: 'scope:dev',
    tools: {
      anonymous: {},
      dev: { alpha: alphaDev, beta: betaDefault },
      ops: { beta: ['elicit', 'exit'] },
      devops: { alpha: alphaDev, beta: except('stats') },
      admin: { beta: ['stats'] },
      math: { alpha: ['add'] },
      shouty: {},
    },
  },
];

/** Calls made by every caller: name, arguments. None of them changes or stops a fixture. */
const calls: [server: 'alpha' | 'beta', tool: string, args: Record<string, unknown>][] = [
  ['alpha', 'echo', { text: 'hi' }],
  ['alpha', 'add', { a: 2, b: 3 }],
  ['alpha', 'stats', {}],
  ['beta', 'echo', { text: 'hi' }],
  ['beta', 'elicit', { message: 'name?' }],
  ['beta', 'stats', {}],
  ['beta', 'add', { a: 2, b: 3 }],
  ['beta', 'fail', {}],
];

/** What the winning pattern asks of each called tool (default_scope for beta's unmatched ones). */
const requirements = (defaultScope: string | null): Record<string, string[]> => ({
  'alpha:echo': ['scope:dev'],
  'alpha:add': ['scope:math'],
  'alpha:stats': ['scope:dev'],
  'beta:echo': ['scope:dev', 'scope:ops'],
  'beta:elicit': ['scope:ops'],
  'beta:stats': ['scope:admin'],
  'beta:add': defaultScope ? [defaultScope] : [],
  'beta:fail': defaultScope ? [defaultScope] : [],
});

/** Resources and templates do not depend on the mode (single-scope lists) nor on default_scope (all matched). */
const resources: Record<UserName, { resources: string[]; templates: string[] }> = {
  anonymous: { resources: [], templates: [] },
  dev: { resources: ['alpha://readme'], templates: ['alpha://items/{id}', 'beta://items/{id}'] },
  ops: { resources: [], templates: [] },
  devops: { resources: ['alpha://readme'], templates: ['alpha://items/{id}', 'beta://items/{id}'] },
  admin: { resources: ['beta://readme'], templates: [] },
  math: { resources: [], templates: [] },
  shouty: { resources: [], templates: [] },
};
const hasDev = (user: UserName) => user === 'dev' || user === 'devops';

function forbiddenText(kind: string, exposed: string, scopes: string[], mode: 'any' | 'all'): string {
  if (scopes.length === 0) return `Forbidden: ${kind} "${exposed}" is not allowed (no permission covers it)`;
  if (scopes.length === 1) return `Forbidden: ${kind} "${exposed}" requires the scope ${scopes[0]}`;
  return `Forbidden: ${kind} "${exposed}" requires ${mode === 'all' ? 'all' : 'one'} of the scopes ${scopes.join(', ')}`;
}

const challenge = (scopes: string[]) =>
  `Bearer error="insufficient_scope", ${scopes.length ? `scope="${scopes.join(' ')}", ` : ''}resource_metadata="${resourceMetadata}"`;

describe.each(scenarios)('$title', (scenario) => {
  let gateway: TestGateway;
  const sessions = new Map<UserName, string>();
  const separator = scenario.separator ?? '__';
  const expose = (server: 'alpha' | 'beta', name: string) =>
    `${server === 'beta' ? (scenario.betaPrefix ?? 'beta') : 'alpha'}${separator}${name}`;
  const headersOf = (user: UserName): Record<string, string> => {
    const principal: User = users[user];
    return principal ? { [principalHeader]: JSON.stringify(principal) } : {};
  };

  beforeAll(async () => {
    gateway = await startTestGateway({
      config: {
        server: { url: 'https://mcp.example.com' },
        auth: {
          claims: ['groups', 'roles'],
          mappings: { 'groups:Developers': ['scope:dev'], 'groups:Ops': ['scope:ops'], 'roles:Admin': ['scope:admin'] },
          permissions,
          options: { scope_mode: scenario.mode, default_scope: scenario.defaultScope },
        },
        proxy: {
          ...(scenario.separator ? { separator: scenario.separator } : {}),
          servers: [
            stdioFixture('alpha'),
            stdioFixture('beta', scenario.betaPrefix ? { prefix: scenario.betaPrefix } : {}),
          ],
        },
      },
      plugins: ['./test/fixtures/plugins/claims-principal.ts'],
    });
    for (const user of Object.keys(users) as UserName[])
      sessions.set(user, await openSession(gateway, headersOf(user)));
  });
  afterAll(() => gateway?.close());

  async function request(user: UserName, method: string, params?: unknown) {
    const response = await gateway.request('/mcp', {
      method: 'POST',
      headers: mcpHeaders(sessions.get(user), headersOf(user)),
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, ...(params === undefined ? {} : { params }) }),
    });
    const messages = await messagesOf(response);
    const message = messages.find((m) => m.id === 7) as {
      result?: Record<string, unknown>;
      error?: { code: number; message: string; data?: unknown };
    };
    return { status: response.status, challenge: response.headers.get('www-authenticate'), message };
  }

  const listed = async (user: UserName, method: string, key: string, field: string) =>
    ((await request(user, method)).message.result![key] as Record<string, string>[]).map((item) => item[field]!).sort();

  async function expectForbidden(
    user: UserName,
    method: string,
    params: unknown,
    kind: string,
    exposed: string,
    scopes: string[],
  ) {
    const { status, challenge: header, message } = await request(user, method, params);
    expect({ user, exposed, status, header }).toEqual({ user, exposed, status: 403, header: challenge(scopes) });
    expect(message).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32003,
        message: forbiddenText(kind, exposed, scopes, scenario.mode),
        data: { requiredScopes: scopes },
      },
    });
  }

  it('lists exactly the tools each caller may use', async () => {
    for (const user of Object.keys(users) as UserName[]) {
      const expected = [
        ...(scenario.tools[user].alpha ?? []).map((t) => expose('alpha', t)),
        ...(scenario.tools[user].beta ?? []).map((t) => expose('beta', t)),
      ].sort();
      expect({ user, tools: await listed(user, 'tools/list', 'tools', 'name') }).toEqual({ user, tools: expected });
    }
  });

  it('lets each caller call exactly what it sees, and answers 403 insufficient_scope to the rest', async () => {
    const required = requirements(scenario.defaultScope);
    for (const user of Object.keys(users) as UserName[]) {
      for (const [server, tool, args] of calls) {
        const name = expose(server, tool);
        const visible = (scenario.tools[user][server] ?? []).includes(tool);
        if (visible) {
          const { status, message } = await request(user, 'tools/call', { name, arguments: args });
          expect({ user, name, status, error: message.error }).toEqual({ user, name, status: 200, error: undefined });
          expect(message.result!.content).toBeInstanceOf(Array);
        } else {
          await expectForbidden(
            user,
            'tools/call',
            { name, arguments: args },
            'tool',
            name,
            required[`${server}:${tool}`]!,
          );
        }
      }
    }
  });

  it('checks what a call returns: a real upstream result for an allowed call', async () => {
    const { message } = await request('devops', 'tools/call', {
      name: expose('beta', 'echo'),
      arguments: { text: 'hi' },
    });
    expect(message.result).toEqual({ content: [{ type: 'text', text: 'beta: hi' }] });
    const add = await request('math', 'tools/call', { name: expose('alpha', 'add'), arguments: { a: 2, b: 3 } });
    expect(add.message.result).toMatchObject({ structuredContent: { sum: 5 } });
  });

  it('lets a name that resolves to nothing through, to be refused as unknown', async () => {
    for (const user of ['anonymous', 'dev'] as const) {
      const {
        status,
        challenge: header,
        message,
      } = await request(user, 'tools/call', { name: expose('beta', 'nope'), arguments: {} });
      expect(status).toBe(200);
      expect(header).toBeNull();
      expect(message.error).toMatchObject({ code: -32602, message: expect.stringContaining('Unknown tool') });
    }
  });

  it('applies the same rules to prompts', async () => {
    const betaGreet = (user: UserName) => scenario.defaultScope === 'scope:dev' && hasDev(user);
    for (const user of Object.keys(users) as UserName[]) {
      const expected = [expose('alpha', 'greet'), ...(betaGreet(user) ? [expose('beta', 'greet')] : [])].sort();
      expect({ user, prompts: await listed(user, 'prompts/list', 'prompts', 'name') }).toEqual({
        user,
        prompts: expected,
      });

      const alpha = await request(user, 'prompts/get', { name: expose('alpha', 'greet'), arguments: { who: 'Ada' } });
      expect(alpha.message.result).toMatchObject({ messages: [{ content: { text: 'Hello Ada from alpha' } }] });
      const params = { name: expose('beta', 'greet'), arguments: { who: 'Ada' } };
      if (betaGreet(user))
        expect((await request(user, 'prompts/get', params)).message.result).toMatchObject({
          messages: [{ content: { text: 'Hello Ada from beta' } }],
        });
      else
        await expectForbidden(
          user,
          'prompts/get',
          params,
          'prompt',
          expose('beta', 'greet'),
          scenario.defaultScope ? [scenario.defaultScope] : [],
        );
    }
  });

  it('applies the same rules to resources, resource templates, reads and subscriptions', async () => {
    for (const user of Object.keys(users) as UserName[]) {
      expect({ user, resources: await listed(user, 'resources/list', 'resources', 'uri') }).toEqual({
        user,
        resources: resources[user].resources,
      });
      expect({
        user,
        templates: await listed(user, 'resources/templates/list', 'resourceTemplates', 'uriTemplate'),
      }).toEqual({
        user,
        templates: resources[user].templates,
      });

      // alpha://readme (alpha:*), beta://readme (*:resource/*), beta://items/42 (through its template's pattern)
      const reads: [string, boolean, string[]][] = [
        ['alpha://readme', hasDev(user), ['scope:dev']],
        ['beta://readme', user === 'admin', ['scope:admin']],
        ['beta://items/42', hasDev(user), ['scope:dev']],
        ['alpha://items/7', hasDev(user), ['scope:dev']],
      ];
      for (const [uri, allowed, scopes] of reads) {
        if (allowed) {
          const { message } = await request(user, 'resources/read', { uri });
          expect(message.result).toMatchObject({
            contents: [{ uri, text: `content of ${uri} from ${uri.split(':')[0]}` }],
          });
        } else {
          await expectForbidden(user, 'resources/read', { uri }, 'resource', uri, scopes);
        }
      }

      if (user === 'admin')
        expect((await request(user, 'resources/subscribe', { uri: 'beta://readme' })).message).toMatchObject({
          result: {},
        });
      else
        await expectForbidden(user, 'resources/subscribe', { uri: 'beta://readme' }, 'resource', 'beta://readme', [
          'scope:admin',
        ]);
    }
  });

  it('refuses completion/complete for a prompt or resource template the caller may not use', async () => {
    const betaGreet = {
      ref: { type: 'ref/prompt', name: expose('beta', 'greet') },
      argument: { name: 'who', value: 'A' },
    };
    if (!(scenario.defaultScope === 'scope:dev' && hasDev('anonymous'))) {
      await expectForbidden(
        'anonymous',
        'completion/complete',
        betaGreet,
        'prompt',
        expose('beta', 'greet'),
        scenario.defaultScope ? [scenario.defaultScope] : [],
      );
    }
    const template = { ref: { type: 'ref/resource', uri: 'beta://items/{id}' }, argument: { name: 'id', value: '4' } };
    await expectForbidden('ops', 'completion/complete', template, 'resource', 'beta://items/{id}', ['scope:dev']);
    // Allowed: it reaches the upstream, which answers (this fixture offers no completions).
    const allowed = await request('dev', 'completion/complete', template);
    expect(allowed.status).toBe(200);
    expect(allowed.challenge).toBeNull();
  });
});
