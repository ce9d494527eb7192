#!/usr/bin/env node
// The `mcp-gateway` command. The gateway and its plugins are TypeScript; they run from a compiled
// copy (compiled.js) when one can be made, so a start loads no TypeScript loader. Otherwise the
// sources run through tsx, registered here before the kernel is imported. Stack traces name the
// compiled files; NODE_OPTIONS=--enable-source-maps maps them to the sources (at some cost to the start).
import { compiledKernel } from './compiled.js';
import { registerPluginHooks } from './plugin-hooks.js';

const compiled = await compiledKernel({
  warn: (reason) => process.stderr.write(`mcp-gateway: running the TypeScript sources (slower start): ${reason}\n`),
});
if (!compiled) await registerPluginHooks(new URL('../index.ts', import.meta.url));
const { main } = await import(compiled ? new URL('core/cli/main.js', compiled).href : './main.ts');
process.exitCode = await main(process.argv.slice(2));
