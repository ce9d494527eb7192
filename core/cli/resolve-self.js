// Module resolve hook (registered with node:module `register`) for plugins written anywhere:
// - `import ... from 'mcp-gateway'` resolves to this running gateway's own API (`data.kernel`, the
//   URL of its index module, TypeScript or compiled), so a plugin file with no node_modules of its
//   own shares the kernel's types and its zod instance;
// - a `.ts` file is an ES module unless its package says `"type": "commonjs"`, so a single
//   TypeScript plugin file in a folder without package.json loads as written (with `import`).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let kernel;

export function initialize(data) {
  kernel = data.kernel;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'mcp-gateway') return nextResolve(kernel, context);
  const resolved = await nextResolve(specifier, context);
  if (resolved.format === 'commonjs' && resolved.url.startsWith('file:')) {
    const file = fileURLToPath(new URL(resolved.url).href.replace(/\?.*$/, ''));
    if (file.endsWith('.ts') && packageType(dirname(file)) !== 'commonjs') return { ...resolved, format: 'module' };
  }
  return resolved;
}

function packageType(dir) {
  for (let current = dir; ; current = dirname(current)) {
    const manifest = join(current, 'package.json');
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, 'utf8')).type;
      } catch {
        return undefined;
      }
    }
    if (dirname(current) === current) return undefined;
  }
}
