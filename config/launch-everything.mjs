// Starts the MCP reference server "everything" (a dependency of mcp-gateway) from wherever npm
// installed it, so that the embedded default config works in a clone, a tarball install and the
// Docker image alike. Arguments are passed on: `node launch-everything.mjs stdio`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const entry = require
  .resolve('@modelcontextprotocol/server-everything/package.json')
  .replace(/package\.json$/, 'dist/index.js');
await import(entry);
