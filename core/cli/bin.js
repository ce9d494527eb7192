#!/usr/bin/env node
// The `mcp-gateway` command. The gateway and its plugins are TypeScript, loaded through tsx, so a
// third-party plugin can be a single .ts file; the resolve hook lets that file import
// 'mcp-gateway' from anywhere on disk.
import { register } from 'node:module';
import { register as registerTypeScript } from 'tsx/esm/api';

registerTypeScript();
register('./resolve-self.js', import.meta.url);
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
