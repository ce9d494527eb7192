/**
 * vitest global setup: the end-to-end tests start many `mcp-gateway` processes, which run the
 * build (dist/); build its JavaScript once here, from the sources under test, as `npm start` does.
 */
import { build } from '../core/cli/build.js';

export default async function buildOnce(): Promise<void> {
  await build({ types: false });
}
