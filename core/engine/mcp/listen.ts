/**
 * `subscriptions/listen` (2026-07-28): a stateless client's stream of notifications, opened with a
 * POST and held open. It is acknowledged first with the part of the client's filter the gateway
 * honours (the three list changes; not yet resource subscriptions), then carries a
 * `notifications/<kind>/list_changed` whenever what the client's principal sees of that list
 * changed (the list hooks decide, as for `tools/list`: a change it cannot see is not told), each
 * stamped with the subscription's id (the listen request's), with keep-alive comments between.
 * The gateway ends it with an empty result when it stops; the client ends it by closing it.
 */
import type { OperationContext } from '../../kernel/context.ts';
import type { Implementation, JSONRPCNotification, RequestId } from '../../kernel/protocol.ts';
import type { DirectReply } from './direct-reply.ts';
import { META } from './era.ts';
import type { McpProxy } from './proxy.ts';
import type { ListKind } from './session.ts';

/** Comments on a quiet stream, well inside the idle timeouts of common proxies. */
const KEEP_ALIVE_MS = 15_000;

/** The filter of a listen request, by the list each of its flags asks about. */
const flags: Record<ListKind, 'toolsListChanged' | 'promptsListChanged' | 'resourcesListChanged'> = {
  tools: 'toolsListChanged',
  prompts: 'promptsListChanged',
  resources: 'resourcesListChanged',
};

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
  /** Stops its keep-alives and listening for the client's close. */
  stop: () => void;
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
  ): Promise<Response> {
    const asked = (typeof filter === 'object' && filter !== null ? filter : {}) as Record<string, unknown>;
    const kinds = (Object.keys(flags) as ListKind[]).filter((kind) => asked[flags[kind]] === true);
    const seen = new Map<ListKind, string>();
    for (const kind of kinds) seen.set(kind, await this.#fingerprint(kind, contextOf));
    const keepAlive = setInterval(() => reply.keepAlive(), KEEP_ALIVE_MS);
    keepAlive.unref();
    const listener: Listener = {
      id,
      kinds,
      contextOf,
      reply,
      seen,
      turn: Promise.resolve(),
      stop: () => clearInterval(keepAlive),
    };
    this.#open.add(listener);
    const stopListening = onGone(() => this.#close(listener));
    listener.stop = () => (clearInterval(keepAlive), stopListening());
    const honoured = Object.fromEntries(kinds.map((kind) => [flags[kind], true]));
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

  /** The gateway stops: end every subscription with its (empty) result. */
  endAll(): void {
    for (const listener of [...this.#open]) {
      this.#close(listener);
      const _meta = { [META.subscriptionId]: listener.id, [META.serverInfo]: this.#serverInfo };
      listener.reply.end({ jsonrpc: '2.0', id: listener.id, result: { resultType: 'complete', _meta } });
    }
  }

  #close(listener: Listener): void {
    listener.stop();
    this.#open.delete(listener);
  }

  async #fingerprint(kind: ListKind, contextOf: (method: string) => OperationContext): Promise<string> {
    return JSON.stringify((await this.#proxy.seen(kind, contextOf(`${kind}/list`))).map((item) => item.value));
  }

  #stamped(
    listener: Listener,
    notification: { method: string; params?: Record<string, unknown> },
  ): JSONRPCNotification {
    const params = notification.params ?? {};
    return {
      jsonrpc: '2.0',
      method: notification.method,
      params: { ...params, _meta: { [META.subscriptionId]: listener.id } },
    };
  }
}
