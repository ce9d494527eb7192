import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  resolve: {
    // Plugins import the public API as 'mcp-gateway', as a third party would.
    alias: { 'mcp-gateway': fileURLToPath(new URL('../core/index.ts', import.meta.url)) },
  },
  test: {
    root,
    globalSetup: ['test/temp-folder.ts', 'test/skipped-summary.ts', 'test/build-once.ts'],
    include: ['core/**/*.test.ts', 'plugins/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
