/**
 * The current MCP Inspector CLI, run as a user would. It needs Node 22, which npx fetches
 * (`-p node@22`); `@latest`, because npm running on Node 20 otherwise picks the newest release
 * whose engines fit Node 20, an old one. Its catalogue, client config and secrets are kept out of
 * the user's home.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, tempDir } from './processes.ts';

export interface InspectorRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runInspector(args: readonly string[], timeoutMs = 170_000): Promise<InspectorRun> {
  const home = tempDir('mcpgw-inspector-');
  const env = {
    ...cleanEnv(),
    MCP_CATALOG_PATH: join(home, 'mcp.json'),
    MCP_CLIENT_CONFIG_PATH: join(home, 'client.json'),
    MCP_INSPECTOR_SECRET_STORE: 'memory',
  };
  const npx = ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/inspector@latest', '--', 'mcp-inspector', '--cli'];
  const child = spawn('npx', [...npx, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
