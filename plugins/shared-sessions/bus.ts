/**
 * The replicas' message bus on Redis pub/sub: one channel per replica (answers to its requests)
 * and one for all (cancellations and notifications, which whoever holds the exchange acts on).
 * Subscribing takes a connection of its own, re-subscribed whenever Redis comes back.
 */
import type { Redis } from 'ioredis';
import type { Logger, ReplicaMessage, SessionBus } from 'mcp-gateway';

export class RedisSessionBus implements SessionBus {
  readonly replica: string;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #channelPrefix: string;
  readonly #channels: { mine: string; all: string };
  readonly #handlers: ((message: ReplicaMessage) => void)[] = [];
  readonly #missedHandlers: (() => void)[] = [];
  /** Set once subscribed: a later subscription follows a lost connection, and what was published meanwhile is lost. */
  #subscribed = false;
  readonly #logger: Logger;

  constructor(options: {
    publisher: Redis;
    subscriber: Redis;
    replica: string;
    channelPrefix: string;
    logger: Logger;
  }) {
    this.replica = options.replica;
    this.#publisher = options.publisher;
    this.#subscriber = options.subscriber;
    this.#logger = options.logger;
    this.#channelPrefix = options.channelPrefix;
    this.#channels = { mine: this.#replicaChannel(this.replica), all: `${options.channelPrefix}replicas` };
    this.#subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.#channels.mine && channel !== this.#channels.all) return;
      const { from, message } = JSON.parse(text) as { from: string; message: ReplicaMessage };
      if (from === this.replica) return;
      for (const handler of this.#handlers) handler(message);
    });
    this.#subscriber.on('ready', () => void this.#subscribe());
  }

  async #subscribe(): Promise<void> {
    try {
      await this.#subscriber.subscribe(this.#channels.mine, this.#channels.all);
    } catch (error) {
      return this.#logger.warn({ err: error }, 'cannot subscribe to the replicas channel yet');
    }
    if (this.#subscribed) {
      this.#logger.info(
        'replicas channel back: messages sent meanwhile may be lost, held sessions are checked against the store',
      );
      for (const handler of this.#missedHandlers) handler();
    }
    this.#subscribed = true;
  }

  async send(to: string, message: ReplicaMessage): Promise<void> {
    const channel = to === '*' ? this.#channels.all : this.#replicaChannel(to);
    await this.#publisher.publish(channel, JSON.stringify({ from: this.replica, message })).catch((error: unknown) => {
      this.#logger.warn({ err: error, kind: message.kind, to }, 'message for another replica lost: redis unavailable');
    });
  }

  #replicaChannel(replica: string): string {
    return `${this.#channelPrefix}replica:${replica}`;
  }

  onMessage(handler: (message: ReplicaMessage) => void): void {
    this.#handlers.push(handler);
  }

  onMissed(handler: () => void): void {
    this.#missedHandlers.push(handler);
  }
}
