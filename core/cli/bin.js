#!/usr/bin/env node
// The `mcp-gateway` command. The gateway and its plugins are TypeScript, loaded through tsx, so a
// third-party plugin can be a single .ts file; the resolve hook lets that file import
// 'mcp-gateway' from anywhere on disk.
import { register } from 'node:module';
import { register as registerTypeScript } from 'tsx/esm/api';

// The kernel's own libraries are loaded before the TypeScript loader is registered: Node 20 runs
// loader hooks on another thread, and every module loaded after them pays a round trip to it
// (~70 ms of start-up for these). A library missing here is only loaded later, not lost.
await Promise.all(
  [
    '@hono/node-server',
    '@modelcontextprotocol/sdk/server/index.js',
    '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js',
    '@modelcontextprotocol/sdk/types.js',
    'cosmiconfig',
    'hono',
    'pino',
    'semver',
    'yaml',
    'zod',
  ].map((library) => import(library).catch(() => {})),
);
registerTypeScript();
register('./resolve-self.js', import.meta.url);
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
