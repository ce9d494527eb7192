/**
 * The aggregated catalogue: the tools, prompts, resources and resource templates of the
 * upstreams that are ready (and of those that are down with `when_down: error`), namespaced and
 * indexed for routing. Rebuilt (cheaply) whenever an upstream's lists or state change, never per
 * request.
 *
 * Each upstream's lists (`upstreamLists`) first go through the `onCatalogue` hooks (filters,
 * renames; the gateway runs them). Tools and prompts: a name `t` of a server with prefix `p` is exposed as
 * `p<separator>t`, where `t` is the hooks' name for it (the upstream's, unless renamed); an empty
 * prefix exposes `t` as is. Routing is by exact lookup of the exposed name, never by splitting it,
 * so names may themselves contain the separator. When two servers expose the same name, the server
 * listed first in `proxy.servers` keeps it and the clash is reported (and refused at boot).
 *
 * Resources keep their upstream URIs, because tools return them in results and clients read them
 * back. A URI (or template) that a server lists after another server already did is exposed as
 * `mcp-gateway:<server>:<uri>`; so is any URI read as that form, which always reaches `<server>`.
 * A read goes to the server that listed the URI, else to the first server with a matching template.
 *
 * A catalogue built after another reuses the other's items where an upstream's item is the same
 * object and is exposed the same way: an upstream that did not change keeps its items, so telling
 * what changed (`sameItems`) costs an identity check for them, however large the catalogue.
 */
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type {
  CatalogueItem,
  PromptItem,
  ResourceItem,
  ResourceTemplateItem,
  ToolItem,
  UpstreamLists,
} from '../kernel/context.ts';
import type { Prompt, Tool } from '../kernel/protocol.ts';
import type { UpstreamCatalogue } from './upstream/upstream.ts';

/** The lists a client is told have changed (resources with their templates). */
export type ListKind = 'tools' | 'prompts' | 'resources';

export interface CatalogueSource {
  readonly name: string;
  readonly prefix: string;
  /** The server's lists as the `onCatalogue` hooks left them. */
  readonly lists: UpstreamLists;
}

/** What claims a clashing name: a server, and the upstream name of its item when a hook renamed it. */
export interface Claimant {
  readonly server: string;
  readonly renamedFrom?: string;
}

export interface NameClash {
  readonly kind: 'tool' | 'prompt';
  readonly name: string;
  /** The one that keeps the name, then the ones it hides. */
  readonly claimants: readonly Claimant[];
}

/** An upstream's lists as `onCatalogue` hooks receive them: every item under its own name. */
export function upstreamLists(server: string, ready: boolean, catalogue: UpstreamCatalogue): UpstreamLists {
  const item = <T extends { name: string }>(value: T): CatalogueItem<T> => ({ server, name: value.name, value });
  return {
    server,
    ready,
    tools: catalogue.tools.map(item),
    prompts: catalogue.prompts.map(item),
    resources: catalogue.resources,
    resourceTemplates: catalogue.resourceTemplates,
  };
}

export interface ResourceTarget {
  readonly server: string;
  /** The URI as the server knows it. */
  readonly uri: string;
}

export const exposedName = (prefix: string, name: string, separator: string): string =>
  prefix === '' ? name : `${prefix}${separator}${name}`;

const qualifier = 'mcp-gateway:';
/**
 * An MCP App's resource (SEP-1865) must stay a `ui://` URI for a host to render it: a clashing one
 * is qualified inside that scheme, as `ui://<server>+<the rest>`.
 */
const appScheme = 'ui://';
const qualified = (server: string, uri: string) =>
  uri.startsWith(appScheme) ? `${appScheme}${server}+${uri.slice(appScheme.length)}` : `${qualifier}${server}:${uri}`;

/**
 * Items made for upstream items (by the upstream's own object), with what else they were made of
 * (server, names, exposed URIs), for the next catalogue to reuse.
 */
type Made = WeakMap<object, { readonly key: string; readonly item: CatalogueItem<unknown> }>;

/** Whether two lists hold the same items: the same objects (reused), else the same JSON. */
export function sameItems(a: readonly CatalogueItem<unknown>[], b: readonly CatalogueItem<unknown>[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every(
    (item, i) =>
      item === b[i] ||
      (item.server === b[i]!.server &&
        item.name === b[i]!.name &&
        JSON.stringify(item.value) === JSON.stringify(b[i]!.value)),
  );
}

export class Catalogue {
  readonly tools: readonly ToolItem[];
  readonly prompts: readonly PromptItem[];
  readonly resources: readonly ResourceItem[];
  readonly resourceTemplates: readonly ResourceTemplateItem[];
  readonly clashes: readonly NameClash[];
  readonly #servers: ReadonlySet<string>;
  readonly #toolsByName: ReadonlyMap<string, ToolItem>;
  readonly #promptsByName: ReadonlyMap<string, PromptItem>;
  /** URI → the server that owns it unqualified. */
  readonly #uriOwners: ReadonlyMap<string, string>;
  readonly #templates: readonly { server: string; exposed: string; template: UriTemplate }[];
  readonly #made: Made = new WeakMap();

  static readonly empty = new Catalogue([], '__');

  constructor(sources: readonly CatalogueSource[], separator: string, previous?: Catalogue) {
    const clashes: NameClash[] = [];
    const before = previous === undefined ? undefined : previous.#made;
    /**
     * The item for an upstream's `raw` value: the previous catalogue's when it was made of the same
     * value and the same `key` (everything else the item depends on), else a new one.
     */
    const reuse = <T>(raw: object, key: string, make: () => CatalogueItem<T>): CatalogueItem<T> => {
      const old = before?.get(raw);
      const item = old?.key === key ? (old.item as CatalogueItem<T>) : make();
      this.#made.set(raw, { key, item });
      return item;
    };
    this.#servers = new Set(sources.map((s) => s.name));
    const owners = new Map<string, string>();
    const resources: ResourceItem[] = [];
    for (const source of sources) {
      for (const resource of source.lists.resources) {
        const owner = owners.get(resource.uri);
        if (owner === undefined) owners.set(resource.uri, source.name);
        const uri = owner === undefined || owner === source.name ? resource.uri : qualified(source.name, resource.uri);
        resources.push(
          reuse(resource, `${source.name}\u0000${uri}`, () => ({
            server: source.name,
            name: resource.uri,
            value: uri === resource.uri ? resource : { ...resource, uri },
          })),
        );
      }
    }
    this.resources = resources;
    this.#uriOwners = owners;

    const tools = indexNames<Tool>(
      sources,
      (s) => s.lists.tools,
      'tool',
      clashes,
      (tool, s) => {
        const name = exposedName(s.prefix, tool.value.name, separator);
        const app = appUris(tool.value)
          .map((uri) => this.exposeUri(s.name, uri))
          .join('\u0000');
        return reuse(tool.value, `${s.name}\u0000${tool.name}\u0000${name}\u0000${app}`, () => ({
          server: s.name,
          name: tool.name,
          value: withAppUri({ ...tool.value, name }, (uri) => this.exposeUri(s.name, uri)),
        }));
      },
    );
    const prompts = indexNames<Prompt>(
      sources,
      (s) => s.lists.prompts,
      'prompt',
      clashes,
      (prompt, s) => {
        const name = exposedName(s.prefix, prompt.value.name, separator);
        return reuse(prompt.value, `${s.name}\u0000${prompt.name}\u0000${name}`, () => ({
          server: s.name,
          name: prompt.name,
          value: { ...prompt.value, name },
        }));
      },
    );
    this.tools = [...tools.values()];
    this.prompts = [...prompts.values()];
    this.#toolsByName = tools;
    this.#promptsByName = prompts;
    this.clashes = clashes;

    const templateOwners = new Map<string, string>();
    const templates: ResourceTemplateItem[] = [];
    for (const source of sources) {
      for (const template of source.lists.resourceTemplates) {
        const owner = templateOwners.get(template.uriTemplate);
        if (owner === undefined) templateOwners.set(template.uriTemplate, source.name);
        const exposed =
          owner === undefined || owner === source.name
            ? template.uriTemplate
            : qualified(source.name, template.uriTemplate);
        templates.push(
          reuse(template, `${source.name}\u0000${exposed}`, () => ({
            server: source.name,
            name: template.uriTemplate,
            value: exposed === template.uriTemplate ? template : { ...template, uriTemplate: exposed },
          })),
        );
      }
    }
    this.resourceTemplates = templates;
    this.#templates = templates.flatMap((t) => {
      if (t.value.uriTemplate !== t.name) return []; // qualified ones are routed by their prefix
      try {
        return [{ server: t.server, exposed: t.name, template: new UriTemplate(t.name) }];
      } catch {
        return []; // an unparsable template can still be listed, just not routed by
      }
    });
  }

  tool(name: string): ToolItem | undefined {
    return this.#toolsByName.get(name);
  }

  prompt(name: string): PromptItem | undefined {
    return this.#promptsByName.get(name);
  }

  /** Which server a URI the client sent belongs to, and the URI that server knows. */
  resource(uri: string): ResourceTarget | undefined {
    const app = this.#appResource(uri);
    if (app) return app;
    if (uri.startsWith(qualifier)) {
      const rest = uri.slice(qualifier.length);
      const colon = rest.indexOf(':');
      const server = rest.slice(0, colon);
      return colon > 0 && this.#servers.has(server) ? { server, uri: rest.slice(colon + 1) } : undefined;
    }
    const owner =
      this.#uriOwners.get(uri) ?? this.#templates.find(({ template }) => template.match(uri) !== null)?.server;
    return owner === undefined ? undefined : { server: owner, uri };
  }

  /** A `ui://<server>+<rest>` URI: the clashing App resource of that server (one it owns unqualified wins). */
  #appResource(uri: string): ResourceTarget | undefined {
    if (!uri.startsWith(appScheme) || this.#uriOwners.has(uri)) return undefined;
    const rest = uri.slice(appScheme.length);
    const plus = rest.indexOf('+');
    const server = rest.slice(0, plus);
    return plus > 0 && this.#servers.has(server) ? { server, uri: `${appScheme}${rest.slice(plus + 1)}` } : undefined;
  }

  /** The template a `ref/resource` completion names, by its exposed form. */
  template(exposed: string): ResourceTarget | undefined {
    if (exposed.startsWith(qualifier)) return this.resource(exposed);
    const item = this.resourceTemplates.find((t) => t.value.uriTemplate === exposed);
    return item && { server: item.server, uri: item.name };
  }

  /** How the client sees a URI that `server` sent (in a read result, an update notification). */
  exposeUri(server: string, uri: string): string {
    const owner = this.#uriOwners.get(uri);
    return owner === undefined || owner === server ? uri : qualified(server, uri);
  }
}

/** The keys where a tool names its MCP App's resource: the current one, and the one before it. */
type AppMeta = { ui?: { resourceUri?: unknown }; 'ui/resourceUri'?: unknown };

/** The App resource URIs a tool names (the current key's, then the former one's). */
function appUris(tool: Tool): string[] {
  const meta = tool._meta as AppMeta | undefined;
  if (!meta) return [];
  const uris = [meta.ui?.resourceUri, meta['ui/resourceUri']];
  return uris.filter((uri): uri is string => typeof uri === 'string');
}

/** A tool whose App resource URI (in `_meta`) is said as the client sees that resource. */
function withAppUri(tool: Tool, expose: (uri: string) => string): Tool {
  const meta = tool._meta as AppMeta | undefined;
  if (!meta) return tool;
  const current = meta.ui?.resourceUri;
  const legacy = meta['ui/resourceUri'];
  if (typeof current !== 'string' && typeof legacy !== 'string') return tool;
  return {
    ...tool,
    _meta: {
      ...meta,
      ...(typeof current === 'string' && { ui: { ...meta.ui, resourceUri: expose(current) } }),
      ...(typeof legacy === 'string' && { 'ui/resourceUri': expose(legacy) }),
    },
  };
}

function indexNames<T extends { name: string }>(
  sources: readonly CatalogueSource[],
  items: (source: CatalogueSource) => readonly CatalogueItem<T>[],
  kind: NameClash['kind'],
  clashes: NameClash[],
  toItem: (item: CatalogueItem<T>, source: CatalogueSource) => CatalogueItem<T>,
): Map<string, CatalogueItem<T>> {
  const index = new Map<string, { item: CatalogueItem<T>; claimant: Claimant }>();
  const clashByName = new Map<string, Claimant[]>();
  for (const source of sources) {
    for (const raw of items(source)) {
      const item = toItem(raw, source);
      const claimant =
        raw.value.name === raw.name ? { server: source.name } : { server: source.name, renamedFrom: raw.name };
      const key = item.value.name;
      const owner = index.get(key);
      if (!owner) {
        index.set(key, { item, claimant });
        continue;
      }
      const claimants = clashByName.get(key) ?? [owner.claimant];
      claimants.push(claimant);
      clashByName.set(key, claimants);
    }
  }
  for (const [name, claimants] of clashByName) clashes.push({ kind, name, claimants });
  return new Map([...index].map(([name, { item }]) => [name, item]));
}
