/**
 * A configuration written for the original product loads unchanged (test/fixtures/original-product.yaml
 * is the block under "Its documented shape" in the product brief, verbatim). Here: loading and the
 * kernel's sections; test/e2e/auth-okta.e2e.test.ts runs it, with its oauth: and auth: sections.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/processes.ts';
import { parseGatewayConfig } from '../../core/boot/config/gateway-config.ts';
import { loadYaml } from './temp-config.ts';

const originalConfig = readFileSync(join(repoRoot, 'test/fixtures/original-product.yaml'), 'utf8');

const env = {
  OKTA_ISSUER: 'https://acme.okta.com/oauth2/default',
  N8N_URL: 'http://n8n:5678/mcp',
  N8N_PROXY_KEY: '0123456789',
};

describe('the original product configuration', () => {
  it('loads with its variables substituted', async () => {
    const { raw } = await loadYaml(originalConfig, env);
    expect(raw.oauth).toEqual({
      enabled: true,
      provider: 'okta',
      authorization_servers: ['https://acme.okta.com/oauth2/default'],
    });
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
