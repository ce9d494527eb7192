/**
 * The README's first promise, with the official MCP Inspector CLI as the client: a fresh gateway
 * on the embedded default config lists the "everything" server's tools, namespaced, and calls one.
 * The Inspector is run as helpers/inspector.ts says.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runInspector } from '../helpers/inspector.ts';
import { binPath, cleanEnv, stopChild, tempDir } from '../helpers/processes.ts';

let gateway: ReturnType<typeof spawn>;
let url: string;

beforeAll(async () => {
  // An empty working directory: no config file is found, so the embedded default is used.
  gateway = spawn(process.execPath, [binPath, 'serve', '--port', '0', '--log-format', 'json'], {
    cwd: tempDir(),
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    gateway.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const address = /"address":"(http:\/\/[^"]+)"/.exec(seen)?.[1];
      if (address && seen.includes('"msg":"mcp-gateway ready: ')) resolve(`${address}/mcp`);
    });
    gateway.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
});

afterAll(() => stopChild(gateway));

const inspector = async (...args: string[]) => {
  const { code, stdout, stderr } = await runInspector([url, ...args]);
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as Record<string, unknown>;
};

it("lists the embedded server's tools, namespaced, and calls one", { timeout: 180_000 }, async () => {
  const { tools } = (await inspector('--method', 'tools/list')) as { tools: { name: string }[] };
  expect(tools.length).toBeGreaterThan(5);
  expect(tools.every((tool) => tool.name.startsWith('everything__'))).toBe(true);
  expect(tools.map((tool) => tool.name)).toContain('everything__echo');
  const result = await inspector(
    '--method',
    'tools/call',
    '--tool-name',
    'everything__echo',
    '--tool-arg',
    'message=through the gateway',
  );
  expect(result).toEqual({ content: [{ type: 'text', text: 'Echo: through the gateway' }] });
});
