/**
 * What each kind of item is checked as: `server:tool` for a tool, `server:prompt/<name>` for a
 * prompt, `server:resource/<uri>` for a resource, a resource read and a resource template (by its
 * `uriTemplate`). `server` is the upstream's `name` in `proxy.servers` (not its prefix) and the
 * names and URIs are the upstream's own, so a pattern does not change when `proxy.separator` or a
 * server's `prefix:` does.
 */
import type { Subject } from './patterns.ts';

export type ItemKind = 'tool' | 'prompt' | 'resource';

const prefixes: Record<ItemKind, string> = { tool: '', prompt: 'prompt/', resource: 'resource/' };

/** `name` is the upstream's tool or prompt name, or a resource's URI (or URI template). */
export const subjectOf = (kind: ItemKind, server: string, name: string): Subject => ({
  server,
  rest: `${prefixes[kind]}${name}`,
});
