/**
 * The module hooks a plugin from outside the gateway may need: tsx, so that it can be TypeScript,
 * and resolve-self.js, so that it can import 'mcp-gateway' without installing it. Registered once,
 * and only when such a plugin is loaded: on Node 20 hooks run on their own thread, whose start
 * costs about 0.25 s, and every later import pays a round trip to it.
 */
import module from 'node:module';

let registered;

/** `kernel`: the URL of the running kernel's index module, which 'mcp-gateway' resolves to. */
export function registerPluginHooks(kernel) {
  registered ??= import('tsx/esm/api').then(({ register: registerTypeScript }) => {
    registerTypeScript();
    module.register('./resolve-self.js', import.meta.url, { data: { kernel: kernel.href } });
    // A CommonJS plugin's require('mcp-gateway') passes only through these in-thread hooks
    // (Node 22.15 and later); resolve-self.js explains it where they are missing.
    module.registerHooks?.({
      resolve: (specifier, context, nextResolve) =>
        specifier === 'mcp-gateway'
          ? { url: kernel.href, format: 'module', shortCircuit: true }
          : nextResolve(specifier, context),
    });
  });
  return registered;
}
