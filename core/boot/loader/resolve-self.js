// Module hooks (registered with node:module `register`) for plugins written anywhere:
// - `import ... from 'mcp-gateway'` (or one of its subpaths) resolves to this running gateway's
//   own modules (`data.entries`, TypeScript or compiled), so a plugin file with no node_modules of
//   its own shares the kernel's types and its zod instance;
// - a `.ts` file is an ES module wherever it is, also where its package.json says
//   `"type": "commonjs"` (as `npm init -y` writes since npm 11) or gives no type: plugins are
//   written with `import` and `export default`, and tsx would otherwise load such a file as
//   CommonJS, which fails on Node 20 ("Cannot require() ES Module ... in a cycle") and on Node 22
//   cannot resolve 'mcp-gateway' and wraps the default export once more. `.cts` stays CommonJS.
import { readFileSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

let entries;

export function initialize(data) {
  entries = data.entries;
}

export async function resolve(specifier, context, nextResolve) {
  if (Object.hasOwn(entries, specifier)) return nextResolve(entries[specifier], context);
  const resolved = await nextResolve(specifier, context);
  // Whatever Node guessed: `commonjs` (Node 20), `commonjs-typescript` (22.7+), or nothing where
  // no package.json gives a type (22.7+), which tsx then loads as CommonJS too.
  const isTypeScript = resolved.url.startsWith('file:') && new URL(resolved.url).pathname.endsWith('.ts');
  return isTypeScript ? { ...resolved, format: 'module' } : resolved;
}

// A CommonJS `require('mcp-gateway')` never reaches the resolve hook above: Node resolves a
// require's name itself. plugin-hooks.js maps it with `registerHooks`, which Node before 22.15
// lacks; there such a plugin fails with its cause and fix rather than "Cannot find module".
export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  if (
    module.registerHooks ||
    loaded.format !== 'commonjs' ||
    !url.startsWith('file:') ||
    url.includes('/node_modules/')
  )
    return loaded;
  const source = String(loaded.source ?? readFileSync(fileURLToPath(url)));
  if (/\brequire\(\s*['"]mcp-gateway(\/[\w-]+)?['"]\s*\)/.test(source)) {
    throw new Error(
      `require('mcp-gateway') needs Node.js 22.15 or later (this is ${process.version}): ` +
        'write the plugin as an ES module (import and export default, in a .mjs or .ts file), or drop the require (definePlugin only adds types)',
    );
  }
  return loaded;
}
