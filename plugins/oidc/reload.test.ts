/**
 * New oidc options on a configuration reload apply to the next token, against a real
 * authorization server (oauth2-mock-server): another audience, and the metadata that announces
 * the authorization servers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gateway } from '../../core/gateway.ts';
import { initializeBody, mcpHeaders, reloadInProcess, startInProcess } from '../../test/helpers/in-process.ts';
import { startIdp, type Idp } from '../../test/helpers/idp.ts';

let idp: Idp;
let gateway: Gateway;
const config = (oidc: Record<string, unknown>) => ({ server: { url: 'http://gw.test' }, oidc: { issuer: idp.issuer, ...oidc }, proxy: { servers: [] } });

beforeAll(async () => {
  idp = await startIdp();
  gateway = await startInProcess(config({ audience: 'first-audience' }));
});
afterAll(async () => {
  await gateway?.stop();
  await idp?.stop();
});

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
  expect([await initialize('first-audience'), await initialize('second-audience')]).toEqual([200, 401]);
  const diff = await reloadInProcess(gateway, config({ audience: 'second-audience', authorization_servers: ['https://login.example'] }));
  expect(diff.reloadedPlugins).toEqual(['oidc']);
  expect([await initialize('first-audience'), await initialize('second-audience')]).toEqual([401, 200]);
  const metadata = (await (await gateway.app.request('/.well-known/oauth-protected-resource/mcp')).json()) as { authorization_servers: string[] };
  expect(metadata.authorization_servers).toEqual(['https://login.example']);
});
