/**
 * A plugin from outside the gateway may be TypeScript, and may import 'mcp-gateway' without having
 * it installed. When the kernel runs as TypeScript (through tsx, or under vitest), whatever loads
 * it handles both already. When it runs from its build (dist/, see core/cli/build.js), no module hook
 * was registered at start, so they are registered before the first such plugin is imported.
 */
import { registerPluginHooks } from './plugin-hooks.js';

const runsBuilt = import.meta.url.endsWith('.js');

export async function prepareForeignPlugin(): Promise<void> {
  if (runsBuilt) await registerPluginHooks();
}
