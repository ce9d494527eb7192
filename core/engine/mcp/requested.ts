/** The item a request names as the client named it, whether or not it exists. */
import type { RequestedItem } from '../../kernel/events.ts';

export function requestedItem(method: string | undefined, params: unknown): RequestedItem | undefined {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  if (method === 'tools/call' || method === 'prompts/get') {
    return typeof p.name === 'string'
      ? { kind: method === 'tools/call' ? 'tool' : 'prompt', exposed: p.name }
      : undefined;
  }
  if (method === 'resources/read' || method === 'resources/subscribe' || method === 'resources/unsubscribe') {
    return typeof p.uri === 'string' ? { kind: 'resource', exposed: p.uri } : undefined;
  }
  if (method === 'completion/complete') {
    const ref = (p.ref ?? {}) as { type?: unknown; name?: unknown; uri?: unknown };
    if (ref.type === 'ref/prompt' && typeof ref.name === 'string') return { kind: 'prompt', exposed: ref.name };
    if (ref.type === 'ref/resource' && typeof ref.uri === 'string') return { kind: 'resource', exposed: ref.uri };
  }
  return undefined;
}
