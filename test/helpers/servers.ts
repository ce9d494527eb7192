/** `proxy.servers` entries for test configurations. */
import { join } from 'node:path';
import { fixtureStdioCommand, repoRoot } from './processes.ts';

/** The fixture MCP server as a stdio child named `name` (its tools answer with that name). */
export const stdioFixture = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'stdio',
  connection: { ...fixtureStdioCommand, env: { FIXTURE_NAME: name } },
  ...extra,
});

/** A Streamable HTTP upstream at `url`. */
export const httpUpstream = (name: string, url: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'streamable-http',
  connection: { url },
  ...extra,
});

/** The test-only plugin that names the caller by its `x-test-user` header (anonymous without it). */
export const headerPrincipalPlugin = join(repoRoot, 'test/fixtures/plugins/header-principal.ts');
