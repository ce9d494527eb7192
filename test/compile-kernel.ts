/**
 * vitest global setup: the end-to-end tests start many `mcp-gateway` processes at once, and each
 * would compile the kernel itself the first time (core/cli/compiled.js); compile it once here.
 */
import { compiledKernel } from '../core/cli/compiled.js';

export default async function compileKernel(): Promise<void> {
  const compiled = await compiledKernel({ warn: (reason) => console.warn(`compiled kernel unavailable: ${reason}`) });
  if (!compiled) console.warn('the end-to-end tests run the TypeScript sources');
}
