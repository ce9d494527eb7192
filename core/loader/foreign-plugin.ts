/**
 * A plugin from outside the gateway may be TypeScript, and may import 'mcp-gateway' without having
 * it installed. When the kernel runs as TypeScript (through tsx, or under vitest), whatever loads
 * it handles both already. When it runs from its compiled copy (see cli/compiled.js), no module
 * hook was registered at start, so they are registered before the first such plugin is imported.
 */
import { registerPluginHooks } from '../cli/plugin-hooks.js';

const runsCompiled = import.meta.url.endsWith('.js');

export async function prepareForeignPlugin(): Promise<void> {
  if (runsCompiled) await registerPluginHooks(new URL('../index.js', import.meta.url));
}
