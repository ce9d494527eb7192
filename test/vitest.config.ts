import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { entryPoints } from '../core/boot/loader/plugin-hooks.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  resolve: {
    // Plugins import the public API as 'mcp-gateway' (and its subpaths), as a third party would.
    alias: Object.entries(entryPoints()).map(([name, url]) => ({
      find: new RegExp(`^${name}$`),
      replacement: fileURLToPath(url),
    })),
  },
  test: {
    root,
    globalSetup: ['test/temp-folder.ts', 'test/skipped-summary.ts', 'test/build-once.ts'],
    include: ['core/**/*.test.ts', 'plugins/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
