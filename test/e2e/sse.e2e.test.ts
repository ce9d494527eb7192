/**
 * The legacy HTTP+SSE upstream transport against a real third-party server: the MCP reference
 * server "everything" in its `sse` mode.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient } from '../helpers/client.ts';
import { freePort, repoRoot, startGateway, stopChild, type RunningGateway } from '../helpers/processes.ts';

let everything: ChildProcess;
let gateway: RunningGateway;
let client: Client;

beforeAll(async () => {
  const port = await freePort();
  everything = spawn(process.execPath, [join(repoRoot, 'config/launch-everything.mjs'), 'sse'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve) =>
    everything.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('running on port') && resolve()),
  );
  gateway = await startGateway({
    config: {
      proxy: { servers: [{ name: 'legacy', type: 'sse', connection: { url: `http://127.0.0.1:${port}/sse` } }] },
    },
  });
  client = await connectClient(gateway.mcpUrl);
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
  if (everything) await stopChild(everything);
});

it('lists and calls the tools of an HTTP+SSE server', async () => {
  const names = (await client.listTools()).tools.map((t) => t.name);
  expect(names).toContain('legacy__echo');
  const result = await client.callTool({ name: 'legacy__echo', arguments: { message: 'over sse' } });
  expect(result.content).toEqual([{ type: 'text', text: 'Echo: over sse' }]);
});

it("relays progress from it with the caller's token", async () => {
  const steps: number[] = [];
  const tools = (await client.listTools()).tools.map((t) => t.name);
  const slow = tools.find((t) => /long-running/.test(t));
  expect(slow).toBeDefined();
  await client.callTool({ name: slow!, arguments: { duration: 1, steps: 3 } }, undefined, {
    onprogress: (p) => steps.push(p.progress),
  });
  expect(steps).toEqual([1, 2, 3]);
});
