/**
 * New options of the authentication plugins on a configuration reload apply to the next token,
 * against a real authorization server (oauth2-mock-server): another audience, and the metadata
 * that announces the authorization servers. Both plugins: oidc, and auth-okta with the original's
 * `oauth:` section.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../core/engine/gateway.ts';
import { initializeBody, mcpHeaders, reloadInProcess, startInProcess } from '../helpers/in-process.ts';
import { startIdp, type Idp } from '../helpers/idp.ts';

let idp: Idp;
beforeAll(async () => (idp = await startIdp()));
afterAll(() => idp?.stop());

const plugins = [
  {
    plugin: 'oidc',
    section: (audience: string, servers?: string[]) => ({
      oidc: { issuer: idp.issuer, audience, authorization_servers: servers },
    }),
  },
  {
    plugin: 'auth-okta',
    section: (audience: string, servers?: string[]) => ({
      oauth: { authorization_servers: servers ?? [idp.issuer], audience },
    }),
  },
];

describe.each(plugins)('$plugin', ({ plugin, section }) => {
  let gateway: Gateway;
  const config = (audience: string, servers?: string[]) => ({
    server: { url: 'http://gw.test' },
    ...section(audience, servers),
    proxy: { servers: [] },
  });
  afterAll(() => gateway?.stop());

  const initialize = async (audience: string) => {
    const token = await idp.token({ aud: audience, sub: 'alice' });
    const response = await gateway.app.request('/mcp', {
      method: 'POST',
      headers: mcpHeaders(undefined, { authorization: `Bearer ${token}` }),
      body: JSON.stringify(initializeBody()),
    });
    await response.text();
    return response.status;
  };

  it('checks the next token against the reloaded audience, and announces the reloaded authorization servers', async () => {
    gateway = await startInProcess(config('first-audience'));
    expect([await initialize('first-audience'), await initialize('second-audience')]).toEqual([200, 401]);
    const servers = [idp.issuer, 'https://login.example'];
    const diff = await reloadInProcess(gateway, config('second-audience', servers));
    expect(diff.reloadedPlugins).toEqual([plugin]);
    expect([await initialize('first-audience'), await initialize('second-audience')]).toEqual([401, 200]);
    const metadata = (await (await gateway.app.request('/.well-known/oauth-protected-resource/mcp')).json()) as {
      authorization_servers: string[];
    };
    expect(metadata.authorization_servers).toEqual(servers);
  });
});
