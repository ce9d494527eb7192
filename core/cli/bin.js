#!/usr/bin/env node
// The `mcp-gateway` command: the built gateway (dist/, see build.js), which loads no module hook.
// A checkout that was never built runs its TypeScript sources through tsx instead (slower start).
// Stack traces name the built files; NODE_OPTIONS=--enable-source-maps maps them to the sources.
import { existsSync } from 'node:fs';
import { registerPluginHooks } from '../boot/loader/plugin-hooks.js';

const built = new URL('../../dist/core/cli/main.js', import.meta.url);
let entry = built.href;
if (!existsSync(built)) {
  process.stderr.write('mcp-gateway: no build (npm run build): running the TypeScript sources (slower start)\n');
  await registerPluginHooks();
  entry = './main.ts';
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
