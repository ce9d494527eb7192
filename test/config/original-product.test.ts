/**
 * A configuration written for the original product loads unchanged: the YAML below is the block
 * under "Its documented shape" in the product brief, verbatim.
 *
 * Its `oauth:` and `auth:` sections belong to the auth-okta and permissions plugins, which do not
 * exist yet, so only loading and the kernel's sections (`server`, `proxy`) are checked here, not
 * the full plan of this file.
 */
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../core/config/gateway-config.ts';
import { loadYaml } from './temp-config.ts';

const originalConfig = `server:
  url: "http://localhost:8082"          # public URL of the gateway (the OAuth resource id)
oauth:
  enabled: true
  provider: "okta"
  authorization_servers: ["\${OKTA_ISSUER}"]
auth:
  claims: ["groups", "roles"]           # JWT claims that carry permissions
  mappings:                             # "claim:value" -> scopes
    "groups:Developers": ["scope:dev"]
    "roles:Admin": ["scope:admin"]
  permissions:                          # "server:tool" glob -> scopes that may use it
    "n8n:*": ["scope:dev"]
    "admin:user_management": ["scope:admin"]
  options:
    scope_mode: "any"                   # any | all: user needs one / all of the listed scopes
    default_scope: null                 # null: deny tools that no pattern matches
proxy:
  servers:
    - name: "n8n"
      type: "streamable-http"           # streamable-http | sse | stdio
      connection:
        url: "\${N8N_URL}"
        timeout: 30s
      auth:
        type: "header"
        header: "x-n8n-key"
        value: "\${N8N_PROXY_KEY}"
`;

const env = { OKTA_ISSUER: 'https://acme.okta.com/oauth2/default', N8N_URL: 'http://n8n:5678/mcp', N8N_PROXY_KEY: '0123456789' };

describe('the original product configuration', () => {
  it('loads with its variables substituted', async () => {
    const { raw } = await loadYaml(originalConfig, env);
    expect(raw.oauth).toEqual({ enabled: true, provider: 'okta', authorization_servers: ['https://acme.okta.com/oauth2/default'] });
    expect(raw.auth).toMatchObject({ options: { scope_mode: 'any', default_scope: null } });
  });

  it('passes the kernel schema unchanged', async () => {
    const loaded = await loadYaml(originalConfig, env);
    const config = parseGatewayConfig(loaded.raw, loaded.source);
    expect(config.server.url).toBe('http://localhost:8082');
    expect(config.proxy.servers).toHaveLength(1);
    expect(config.proxy.servers[0]).toMatchObject({
      name: 'n8n',
      type: 'streamable-http',
      connection: { url: 'http://n8n:5678/mcp', timeout: 30_000 },
      auth: { type: 'header', header: 'x-n8n-key', value: '0123456789' },
    });
  });
});
