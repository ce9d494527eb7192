/**
 * `subscriptions/listen` (2026-07-28): a stateless client's stream of notifications, opened with a
 * POST and held open. It is acknowledged first with the part of the client's filter the gateway
 * honours, then carries a `notifications/<kind>/list_changed` whenever what the client's
 * principal sees of that list changed (the list hooks decide, as for `tools/list`: a change it
 * cannot see is not told), and `notifications/resources/updated` for the resources it subscribed
 * to among those its principal sees (each subscribed at the upstream as a session's would be,
 * and unsubscribed when the stream ends). Every message is stamped with the subscription's id
 * (the listen request's), with keep-alive comments between. The gateway ends it with an empty
 * result when it stops; the client ends it by closing it.
 */
import type { OperationContext } from '../../kernel/context.ts';
import type { Implementation, JSONRPCNotification, RequestId } from '../../kernel/protocol.ts';
import type { DirectReply } from './direct-reply.ts';
import { META } from './era.ts';
import type { McpProxy } from './proxy.ts';
import type { ListKind } from '../catalogue.ts';

/** Comments on a quiet stream, well inside the idle timeouts of common proxies. */
const KEEP_ALIVE_MS = 15_000;

/** The filter of a listen request, by the list each of its flags asks about. */
const flags: Record<ListKind, 'toolsListChanged' | 'promptsListChanged' | 'resourcesListChanged'> = {
  tools: 'toolsListChanged',
  prompts: 'promptsListChanged',
  resources: 'resourcesListChanged',
};

/** What a listener subscribes to resources with: the proxy's `subscribe`, for its caller. */
export type Subscribing = (uri: string, subscribe: boolean) => Promise<unknown>;

interface Listener {
  readonly id: RequestId;
  readonly kinds: readonly ListKind[];
  /** The context the list hooks see, as for the client's own `<kind>/list`. */
  readonly contextOf: (method: string) => OperationContext;
  readonly reply: DirectReply;
  /** What the caller saw of each list when last told (or when it started listening). */
  readonly seen: Map<ListKind, string>;
  /** Changes are looked at one after another, so that two never tell the same change twice. */
  turn: Promise<void>;
  /** Stops its keep-alives and listening for the client's close, and ends its upstream subscriptions. */
  stop: () => Promise<unknown>;
}

export class Listeners {
  readonly #open = new Set<Listener>();
  readonly #proxy: McpProxy;
  readonly #serverInfo: Implementation;

  constructor(proxy: McpProxy, serverInfo: Implementation) {
    this.#proxy = proxy;
    this.#serverInfo = serverInfo;
  }

  /** Open a subscription on `reply`, which ends when `onGone` says the client closed it. */
  async listen(
    id: RequestId,
    filter: unknown,
    contextOf: (method: string) => OperationContext,
    reply: DirectReply,
    onGone: (listener: () => void) => () => void,
    subscribing: Subscribing,
  ): Promise<Response> {
    const asked = (typeof filter === 'object' && filter !== null ? filter : {}) as Record<string, unknown>;
    const kinds = (Object.keys(flags) as ListKind[]).filter((kind) => asked[flags[kind]] === true);
    const uris = await this.#subscribed(asked.resourceSubscriptions, contextOf, subscribing);
    const seen = new Map<ListKind, string>();
    for (const kind of kinds) seen.set(kind, await this.#fingerprint(kind, contextOf));
    const keepAlive = setInterval(() => reply.keepAlive(), KEEP_ALIVE_MS);
    keepAlive.unref();
    const unsubscribe = () => Promise.all(uris.map((uri) => subscribing(uri, false).catch(() => {})));
    const listener: Listener = {
      id,
      kinds,
      contextOf,
      reply,
      seen,
      turn: Promise.resolve(),
      stop: () => (clearInterval(keepAlive), unsubscribe()),
    };
    this.#open.add(listener);
    const stopListening = onGone(() => void this.#close(listener));
    listener.stop = () => (clearInterval(keepAlive), stopListening(), unsubscribe());
    const honoured: Record<string, unknown> = Object.fromEntries(kinds.map((kind) => [flags[kind], true]));
    if (uris.length > 0) honoured.resourceSubscriptions = uris;
    void reply.send(
      this.#stamped(listener, {
        method: 'notifications/subscriptions/acknowledged',
        params: { notifications: honoured },
      }),
    );
    return reply.response;
  }

  /** A kind of list changed in the catalogue: tell each listener that sees a difference. */
  changed(kind: ListKind): void {
    for (const listener of this.#open) {
      if (!listener.kinds.includes(kind)) continue;
      listener.turn = listener.turn.then(async () => {
        const now = await this.#fingerprint(kind, listener.contextOf).catch(() => undefined);
        if (now === undefined || now === listener.seen.get(kind)) return;
        listener.seen.set(kind, now);
        await listener.reply.send(this.#stamped(listener, { method: `notifications/${kind}/list_changed` }));
      });
    }
  }

  /** The gateway stops: end every subscription with its (empty) result, and its upstream subscriptions. */
  async endAll(): Promise<void> {
    const ending = [...this.#open].map((listener) => {
      const _meta = { [META.subscriptionId]: listener.id, [META.serverInfo]: this.#serverInfo };
      listener.reply.end({ jsonrpc: '2.0', id: listener.id, result: { resultType: 'complete', _meta } });
      return this.#close(listener);
    });
    await Promise.all(ending);
  }

  #close(listener: Listener): Promise<unknown> {
    this.#open.delete(listener);
    return listener.stop();
  }

  /**
   * The resources of `asked` that the caller sees and whose upstream took the subscription: those
   * it subscribed to. Updates reach the stream through the caller's peer (stamped by `stamp`).
   */
  async #subscribed(
    asked: unknown,
    contextOf: (method: string) => OperationContext,
    subscribing: Subscribing,
  ): Promise<string[]> {
    if (!Array.isArray(asked) || asked.length === 0) return [];
    const visible = new Set(
      (await this.#proxy.seen('resources', contextOf('resources/list'))).map(
        (item) => (item.value as { uri?: unknown }).uri,
      ),
    );
    const wanted = [...new Set(asked.filter((uri): uri is string => typeof uri === 'string' && visible.has(uri)))];
    const taken = await Promise.all(
      wanted.map((uri) =>
        subscribing(uri, true).then(
          () => uri,
          () => undefined,
        ),
      ),
    );
    return taken.filter((uri) => uri !== undefined);
  }

  async #fingerprint(kind: ListKind, contextOf: (method: string) => OperationContext): Promise<string> {
    return JSON.stringify((await this.#proxy.seen(kind, contextOf(`${kind}/list`))).map((item) => item.value));
  }

  #stamped(
    listener: Listener,
    notification: { method: string; params?: Record<string, unknown> },
  ): JSONRPCNotification {
    return stamp(listener.id, { jsonrpc: '2.0', ...notification });
  }
}

/** `notification` as a listen stream carries it: with the subscription's id in its `_meta`. */
export function stamp(id: RequestId, notification: JSONRPCNotification): JSONRPCNotification {
  const params = notification.params ?? {};
  return { ...notification, params: { ...params, _meta: { ...params._meta, [META.subscriptionId]: id } } };
}
