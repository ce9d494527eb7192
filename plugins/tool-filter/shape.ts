/**
 * One server's rules, compiled once (at setup or reload) into what the `onCatalogue` hook applies
 * to that server's lists each time the catalogue is rebuilt: select, override, check the required
 * annotations (after the overrides: an operator who marks a tool read-only is believed), rename.
 */
import type { CatalogueItem, Prompt, Tool, UpstreamLists } from 'mcp-gateway';
import type { Hints, ServerRules } from './options.ts';
import { selection, unmatchedKeys } from './selection.ts';

/** The protocol's values for hints a tool leaves out (MCP `ToolAnnotations`). */
const hintDefaults: Required<Hints> = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};

export interface ServerShaper {
  shape(lists: UpstreamLists): UpstreamLists;
  /** Whether the rules let a resource URI be read (one the server never listed included). */
  keepsResource(uri: string): boolean;
  /** Labels of the patterns and keys that name nothing in `lists` (`include: "x"`, `prompts.rename: "y"`). */
  unmatched(lists: UpstreamLists): string[];
}

export function serverShaper(rules: ServerRules): ServerShaper {
  const tools = itemShaper(rules, (tool: Tool, override) => ({
    ...tool,
    ...(override.title !== undefined && { title: override.title }),
    ...(override.description !== undefined && { description: override.description }),
    ...(override.annotations && { annotations: { ...tool.annotations, ...override.annotations } }),
  }));
  const required = Object.entries(rules.require_annotations ?? {}) as [keyof Hints, boolean][];
  const meetsRequirements = (tool: Tool) =>
    required.every(([hint, value]) => (tool.annotations?.[hint] ?? hintDefaults[hint]) === value);
  const prompts = itemShaper(rules.prompts ?? { rename: {}, override: {} }, (prompt: Prompt, override) => ({
    ...prompt,
    ...override,
  }));
  const resources = selection(rules.resources);
  return {
    keepsResource: (uri) => resources.keeps(uri),
    shape: (lists) => ({
      ...lists,
      tools: tools.shape(lists.tools).filter((item) => meetsRequirements(item.value)),
      prompts: prompts.shape(lists.prompts),
      resources: lists.resources.filter((r) => resources.keeps(r.uri)),
      resourceTemplates: lists.resourceTemplates.filter((t) => resources.keeps(t.uriTemplate)),
    }),
    unmatched: (lists) => [
      ...tools.unmatched(lists.tools.map((t) => t.name)),
      ...prompts.unmatched(lists.prompts.map((p) => p.name)).map((label) => `prompts.${label}`),
      ...resources
        .unmatched([...lists.resources.map((r) => r.uri), ...lists.resourceTemplates.map((t) => t.uriTemplate)])
        .map((label) => `resources.${label}`),
    ],
  };
}

interface ItemRules<Override> {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly rename: Readonly<Record<string, string>>;
  readonly override: Readonly<Record<string, Override>>;
}

/** Select, override and rename named items; the same for tools and prompts. */
function itemShaper<T extends { name: string }, Override>(
  rules: ItemRules<Override>,
  applyOverride: (value: T, override: Override) => T,
) {
  const selected = selection(rules);
  const renames = new Map(Object.entries(rules.rename));
  const overrides = new Map(Object.entries(rules.override));
  const shapeOne = (item: CatalogueItem<T>): CatalogueItem<T> => {
    const override = overrides.get(item.name);
    const renamed = renames.get(item.name);
    if (override === undefined && renamed === undefined) return item;
    const value = override === undefined ? item.value : applyOverride(item.value, override);
    return { ...item, value: renamed === undefined ? value : { ...value, name: renamed } };
  };
  return {
    shape: (items: readonly CatalogueItem<T>[]) => items.filter((item) => selected.keeps(item.name)).map(shapeOne),
    unmatched: (names: readonly string[]) => [
      ...selected.unmatched(names),
      ...unmatchedKeys('rename', rules.rename, names),
      ...unmatchedKeys('override', rules.override, names),
    ],
  };
}
