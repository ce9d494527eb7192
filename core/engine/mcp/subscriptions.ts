/**
 * Resource subscriptions to upstreams in `shared` session mode (and to every 2026-07-28 upstream,
 * which has no sessions): the upstream gets one subscription per URI however many clients
 * subscribe (`resources/subscribe`, or its listen stream's filter), dropped when
 * the last one leaves (or its session ends), and each update goes to exactly the clients that
 * subscribed. (A `per-client` upstream session subscribes for its own client directly.)
 */
import type { DownstreamPeer } from '../upstream/peer.ts';
import type { Upstream } from '../upstream/upstream.ts';

const keyOf = (server: string, uri: string) => `${server}\n${uri}`;

export class SharedSubscriptions {
  readonly #subscribers = new Map<string, Set<DownstreamPeer>>();

  async subscribe(upstream: Upstream, uri: string, who: DownstreamPeer): Promise<void> {
    const key = keyOf(upstream.name, uri);
    const existing = this.#subscribers.get(key);
    if (existing) return void existing.add(who);
    this.#subscribers.set(key, new Set([who]));
    try {
      await upstream.subscribe(uri, true);
    } catch (error) {
      this.#subscribers.delete(key);
      throw error;
    }
  }

  async unsubscribe(upstream: Upstream, uri: string, who: DownstreamPeer): Promise<void> {
    const key = keyOf(upstream.name, uri);
    const set = this.#subscribers.get(key);
    if (!set?.delete(who) || set.size > 0) return;
    this.#subscribers.delete(key);
    await upstream.subscribe(uri, false);
  }

  /** Drop every subscription of a session that ended. */
  forget(who: DownstreamPeer, upstreams: (server: string) => Upstream | undefined): void {
    for (const [key, set] of this.#subscribers) {
      if (!set.delete(who) || set.size > 0) continue;
      this.#subscribers.delete(key);
      const [server, uri] = key.split('\n') as [string, string];
      upstreams(server)
        ?.subscribe(uri, false)
        .catch(() => {});
    }
  }

  subscribers(server: string, uri: string): ReadonlySet<DownstreamPeer> {
    return this.#subscribers.get(keyOf(server, uri)) ?? new Set();
  }
}
