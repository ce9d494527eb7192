/**
 * The aggregated catalogue: every ready upstream's tools, prompts, resources and resource
 * templates, namespaced and indexed for routing. Rebuilt (cheaply) whenever an upstream's lists
 * or state change, never per request.
 *
 * Naming: a tool or prompt `t` of a server with prefix `p` is exposed as `p<separator>t`; an empty
 * prefix exposes `t` as is. Routing is by exact lookup of the exposed name, never by splitting it,
 * so server and tool names may themselves contain the separator. When two servers expose the same
 * name, the server listed first in `proxy.servers` keeps it and the clash is reported.
 *
 * Resources keep their upstream URIs (tools return them in results, and clients read them back):
 * a read is routed to the server that listed the URI, else to the first server with a matching
 * resource template.
 */
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { CatalogueItem, PromptItem, ResourceItem, ResourceTemplateItem, ToolItem } from './context.ts';
import type { Prompt, Resource, ResourceTemplate, Tool } from './protocol.ts';
import type { UpstreamCatalogue } from './upstream/upstream.ts';

export interface CatalogueSource {
  readonly name: string;
  readonly prefix: string;
  readonly catalogue: UpstreamCatalogue;
}

export interface NameClash {
  readonly kind: 'tool' | 'prompt' | 'resource';
  readonly name: string;
  /** The server that keeps the name, then the ones it hides. */
  readonly servers: readonly string[];
}

export const exposedName = (prefix: string, name: string, separator: string): string =>
  prefix === '' ? name : `${prefix}${separator}${name}`;

export class Catalogue {
  readonly tools: readonly ToolItem[];
  readonly prompts: readonly PromptItem[];
  readonly resources: readonly ResourceItem[];
  readonly resourceTemplates: readonly ResourceTemplateItem[];
  readonly clashes: readonly NameClash[];
  readonly #toolsByName: ReadonlyMap<string, ToolItem>;
  readonly #promptsByName: ReadonlyMap<string, PromptItem>;
  readonly #resourcesByUri: ReadonlyMap<string, ResourceItem>;
  readonly #templates: readonly { server: string; template: UriTemplate }[];

  static readonly empty = new Catalogue([], '__');

  constructor(sources: readonly CatalogueSource[], separator: string) {
    const clashes: NameClash[] = [];
    const tools = indexBy<Tool>(sources, (s) => s.catalogue.tools, 'tool', clashes, (tool, s) => ({
      server: s.name,
      name: tool.name,
      value: { ...tool, name: exposedName(s.prefix, tool.name, separator) },
    }));
    const prompts = indexBy<Prompt>(sources, (s) => s.catalogue.prompts, 'prompt', clashes, (prompt, s) => ({
      server: s.name,
      name: prompt.name,
      value: { ...prompt, name: exposedName(s.prefix, prompt.name, separator) },
    }));
    const resources = indexBy<Resource>(sources, (s) => s.catalogue.resources, 'resource', clashes, (resource, s) => ({
      server: s.name,
      name: resource.uri,
      value: resource,
    }));
    this.tools = [...tools.values()];
    this.prompts = [...prompts.values()];
    this.resources = [...resources.values()];
    this.#toolsByName = tools;
    this.#promptsByName = prompts;
    this.#resourcesByUri = resources;
    this.resourceTemplates = sources.flatMap((s) =>
      s.catalogue.resourceTemplates.map((t) => ({ server: s.name, name: t.uriTemplate, value: t })),
    );
    this.#templates = this.resourceTemplates.flatMap((t) => {
      try {
        return [{ server: t.server, template: new UriTemplate(t.name) }];
      } catch {
        return []; // an unparsable template can still be listed, just not routed by
      }
    });
    this.clashes = clashes;
  }

  tool(name: string): ToolItem | undefined {
    return this.#toolsByName.get(name);
  }

  prompt(name: string): PromptItem | undefined {
    return this.#promptsByName.get(name);
  }

  /** The server that serves this URI: the one that listed it, else the first whose template matches. */
  resourceOwner(uri: string): string | undefined {
    const listed = this.#resourcesByUri.get(uri);
    if (listed) return listed.server;
    return this.#templates.find(({ template }) => template.match(uri) !== null)?.server;
  }
}

function indexBy<T>(
  sources: readonly CatalogueSource[],
  items: (source: CatalogueSource) => readonly T[],
  kind: NameClash['kind'],
  clashes: NameClash[],
  toItem: (item: T, source: CatalogueSource) => CatalogueItem<T>,
): Map<string, CatalogueItem<T>> {
  const index = new Map<string, CatalogueItem<T>>();
  const clashByName = new Map<string, string[]>();
  for (const source of sources) {
    for (const raw of items(source)) {
      const item = toItem(raw, source);
      const key = kind === 'resource' ? item.name : (item.value as { name: string }).name;
      const owner = index.get(key);
      if (!owner) {
        index.set(key, item);
        continue;
      }
      const servers = clashByName.get(key) ?? [owner.server];
      if (!servers.includes(source.name)) servers.push(source.name);
      clashByName.set(key, servers);
    }
  }
  for (const [name, servers] of clashByName) clashes.push({ kind, name, servers });
  return index;
}
