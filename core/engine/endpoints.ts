/**
 * Virtual endpoints as views of the one catalogue: each endpoint serves the items of its servers
 * whose exposed names (or URIs) match its globs. Anything outside a view is, on that endpoint,
 * unknown exactly like a name no server has: a client cannot tell hidden from absent.
 *
 * Tools a plugin serves (tool search's) are on every endpoint: the plugin decides where they show.
 *
 * A view is built once per catalogue (the catalogue is rebuilt only when an upstream's lists
 * change) and endpoint, so a request only looks names up; an endpoint that narrows nothing is the
 * catalogue itself.
 */
import type { PromptItem, ResourceItem, ResourceTemplateItem, ToolItem } from '../kernel/context.ts';
import { DEFAULT_ENDPOINT, DEFAULT_ENDPOINT_PATH, type EndpointConfig } from '../kernel/config/endpoints.ts';
import { compileGlob } from '../lib/patterns.ts';
import type { Catalogue, ResourceTarget } from './catalogue.ts';

/** What an operation reads of the catalogue: the whole one's shape, an endpoint's items. */
export type CatalogueLookup = Pick<
  Catalogue,
  'tools' | 'prompts' | 'resources' | 'resourceTemplates' | 'tool' | 'prompt' | 'resource' | 'template' | 'exposeUri'
>;

/** One endpoint as configured: where it is and what it lets through (undefined: everything). */
export interface Endpoint {
  readonly name: string;
  readonly path: string;
  readonly servers?: ReadonlySet<string>;
  readonly tools?: (name: string) => boolean;
  readonly prompts?: (name: string) => boolean;
  readonly resources?: (uri: string) => boolean;
}

const matcher = (globs: readonly string[] | undefined) => {
  if (!globs) return undefined;
  const compiled = globs.map(compileGlob);
  return (value: string) => compiled.some((glob) => glob.test(value));
};

/** The endpoints of a configuration: `default` (`/mcp`) first, narrowed by `endpoints.default` if given. */
export function configuredEndpoints(config: Readonly<Record<string, EndpointConfig>>): Endpoint[] {
  const entries: [string, EndpointConfig][] = Object.entries({ [DEFAULT_ENDPOINT]: {}, ...config });
  return entries.map(([name, endpoint]) => ({
    name,
    path: name === DEFAULT_ENDPOINT ? DEFAULT_ENDPOINT_PATH : endpoint.path!,
    ...(endpoint.servers && { servers: new Set(endpoint.servers) }),
    ...(endpoint.tools && { tools: matcher(endpoint.tools) }),
    ...(endpoint.prompts && { prompts: matcher(endpoint.prompts) }),
    ...(endpoint.resources && { resources: matcher(endpoint.resources) }),
  }));
}

const narrows = (e: Endpoint) => e.servers || e.tools || e.prompts || e.resources;

/**
 * The views of every endpoint over a catalogue, made on first use and kept as long as that
 * catalogue lives (a rebuild compares the views of the old one with the new one's).
 */
export class EndpointViews {
  readonly #endpoints: ReadonlyMap<string, Endpoint>;
  readonly #views = new WeakMap<Catalogue, Map<string, CatalogueLookup>>();
  /** Whether a catalogue server is a plugin serving its own tools. */
  readonly #plugin: (server: string) => boolean;

  constructor(endpoints: readonly Endpoint[], plugin: (server: string) => boolean) {
    this.#endpoints = new Map(endpoints.map((e) => [e.name, e]));
    this.#plugin = plugin;
  }

  serves(endpoint: string, server: string): boolean {
    return this.#endpoints.get(endpoint)?.servers?.has(server) ?? true;
  }

  view(catalogue: Catalogue, endpoint: string): CatalogueLookup {
    let views = this.#views.get(catalogue);
    if (!views) this.#views.set(catalogue, (views = new Map()));
    let view = views.get(endpoint);
    if (!view) {
      const config = this.#endpoints.get(endpoint);
      view = config && narrows(config) ? new EndpointView(catalogue, config, this.#plugin) : catalogue;
      views.set(endpoint, view);
    }
    return view;
  }
}

class EndpointView implements CatalogueLookup {
  readonly tools: readonly ToolItem[];
  readonly prompts: readonly PromptItem[];
  readonly resources: readonly ResourceItem[];
  readonly resourceTemplates: readonly ResourceTemplateItem[];
  readonly #catalogue: Catalogue;
  readonly #endpoint: Endpoint;
  readonly #tools: ReadonlyMap<string, ToolItem>;
  readonly #prompts: ReadonlyMap<string, PromptItem>;

  constructor(catalogue: Catalogue, endpoint: Endpoint, plugin: (server: string) => boolean) {
    this.#catalogue = catalogue;
    this.#endpoint = endpoint;
    const { tools, prompts, resources } = endpoint;
    this.tools = catalogue.tools.filter(
      (t) => plugin(t.server) || (this.#serves(t.server) && (!tools || tools(t.value.name))),
    );
    this.prompts = catalogue.prompts.filter((p) => this.#serves(p.server) && (!prompts || prompts(p.value.name)));
    this.resources = catalogue.resources.filter(
      (r) => this.#serves(r.server) && (!resources || resources(r.value.uri)),
    );
    this.resourceTemplates = catalogue.resourceTemplates.filter(
      (t) => this.#serves(t.server) && (!resources || resources(t.value.uriTemplate)),
    );
    this.#tools = new Map(this.tools.map((t) => [t.value.name, t]));
    this.#prompts = new Map(this.prompts.map((p) => [p.value.name, p]));
  }

  tool(name: string): ToolItem | undefined {
    return this.#tools.get(name);
  }

  prompt(name: string): PromptItem | undefined {
    return this.#prompts.get(name);
  }

  /** A URI is the endpoint's when its server is and the URI (as the client sent it) matches its globs. */
  resource(uri: string): ResourceTarget | undefined {
    return this.#within(this.#catalogue.resource(uri), uri);
  }

  template(exposed: string): ResourceTarget | undefined {
    return this.#within(this.#catalogue.template(exposed), exposed);
  }

  exposeUri(server: string, uri: string): string {
    return this.#catalogue.exposeUri(server, uri);
  }

  #within(target: ResourceTarget | undefined, exposed: string): ResourceTarget | undefined {
    const { resources } = this.#endpoint;
    return target && this.#serves(target.server) && (!resources || resources(exposed)) ? target : undefined;
  }

  #serves(server: string): boolean {
    return this.#endpoint.servers?.has(server) ?? true;
  }
}
