// A module resolve hook (node:module register): `import ... from 'mcp-gateway'` in any plugin
// resolves to this running gateway's own API, so that a plugin file outside a project, with no
// node_modules of its own, shares the kernel's types and its zod instance.
const self = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'mcp-gateway') return nextResolve(self, context);
  return nextResolve(specifier, context);
}
