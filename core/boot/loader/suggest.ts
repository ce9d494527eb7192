/**
 * What a top-level section or a server `type:` that nothing reads was likely meant to be: the
 * nearest name among what the loaded plugins read and what the built-in ones would. A built-in
 * that is not loaded is imported here only to read its name, section and type; this runs once
 * the configuration has already failed, so a valid one still loads only what it names.
 */
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { closest } from '../../kernel/closest.ts';
import type { PluginDefinition } from '../../kernel/plugin.ts';
import { builtinFile, builtinsDir } from './resolve.ts';

export interface SuggestOptions {
  /** The names the kernel and the loaded plugins answer to. */
  readonly known: readonly string[];
  /** The names a plugin answers to: the sections it reads, or its transport type. */
  readonly namesOf: (definition: PluginDefinition) => readonly string[];
  /** The names of the loaded plugins, whose built-in copies need not be looked at. */
  readonly loaded: readonly string[];
  /** The built-ins' folder, if not the default. */
  readonly builtins: string | undefined;
  /** The configuration lists its plugins, so a built-in that is not loaded must be added there. */
  readonly listed: boolean;
}

/** The fix for `word`, which nothing loaded answers to, or undefined when no name is near. */
export async function suggestFix(word: string, options: SuggestOptions): Promise<string | undefined> {
  const known = closest(word, options.known);
  if (known !== undefined) return `did you mean "${known}"?`;
  const claims = (await builtinDefinitions(options.builtins ?? builtinsDir))
    .filter((definition) => !options.loaded.includes(definition.name))
    .flatMap((definition) => options.namesOf(definition).map((name) => ({ name, plugin: definition.name })));
  const near = closest(
    word,
    claims.map((c) => c.name),
  );
  const claim = claims.find((c) => c.name === near);
  if (!claim) return undefined;
  const add = options.listed ? `add "${claim.plugin}" to plugins:` : undefined;
  if (claim.name === word) return add;
  return `did you mean "${claim.name}"?${add ? ` (and ${add})` : ''}`;
}

async function builtinDefinitions(dir: string): Promise<PluginDefinition[]> {
  const definitions: PluginDefinition[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = entry.isDirectory() ? builtinFile(entry.name, dir) : undefined;
    if (!file) continue;
    try {
      const module = (await import(pathToFileURL(file).href)) as { default?: PluginDefinition };
      if (module.default?.name) definitions.push(module.default);
    } catch {
      // A built-in that cannot load offers no suggestion; loading it for real reports why.
    }
  }
  return definitions;
}
