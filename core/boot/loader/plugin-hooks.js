/**
 * The module hooks a plugin from outside the gateway may need: tsx, so that it can be TypeScript,
 * and resolve-self.js, so that it can import 'mcp-gateway' (and its subpaths) without installing
 * it. Registered once, and only when such a plugin is loaded: on Node 20 hooks run on their own
 * thread, whose start would lengthen every start (core/README.md, "Measured costs"), and every
 * later import pays a round trip to it.
 */
import { readFileSync } from 'node:fs';
import module from 'node:module';

let registered;

/**
 * The package's entry points ('mcp-gateway', 'mcp-gateway/http', ...) as URLs of the modules that
 * run here. From the build, its package.json (dist/package.json) names them; from a checkout's
 * sources, the package's own names the build, whose TypeScript sources are meant.
 */
export function entryPoints() {
  const manifest = new URL('../../../package.json', import.meta.url);
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8'));
  const entries = {};
  for (const [subpath, target] of Object.entries(exports)) {
    const file = typeof target === 'string' ? target : target.default;
    if (!file.endsWith('.js')) continue;
    const source = file.startsWith('./dist/') ? `./${file.slice('./dist/'.length, -'.js'.length)}.ts` : file;
    entries[`mcp-gateway${subpath.slice(1)}`] = new URL(source, manifest).href;
  }
  return entries;
}

export function registerPluginHooks() {
  registered ??= import('tsx/esm/api').then(({ register: registerTypeScript }) => {
    const entries = entryPoints();
    registerTypeScript();
    module.register('./resolve-self.js', import.meta.url, { data: { entries } });
    // A CommonJS plugin's require('mcp-gateway') passes only through these in-thread hooks
    // (Node 22.15 and later); resolve-self.js explains it where they are missing.
    module.registerHooks?.({
      resolve: (specifier, context, nextResolve) =>
        Object.hasOwn(entries, specifier)
          ? { url: entries[specifier], format: 'module', shortCircuit: true }
          : nextResolve(specifier, context),
    });
  });
  return registered;
}
