/**
 * An `UpstreamChannel` over a bidirectional message stream (a child's stdio, a legacy SSE
 * connection): the transport writes with `send`, feeds what it reads to `receive`, and reports
 * the end of the stream with `lost`. Responses are matched to requests by id; a progress
 * notification goes to the request whose progress token it carries; everything else is
 * server-initiated and goes to `onmessage`.
 */
import { ErrorCodes, GatewayError } from '../kernel/errors.ts';
import {
  isNotification,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type JSONRPCResponseMessage,
} from '../kernel/protocol.ts';
import type { ChannelRequestOptions, UpstreamChannel } from '../kernel/transport.ts';

export interface MessageStream {
  /** Send one message; `headers` are the request's correlation headers, for streams that carry headers. */
  write(message: JSONRPCMessage, headers?: Readonly<Record<string, string>>): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  resolve(response: JSONRPCResponseMessage): void;
  reject(error: Error): void;
  options: ChannelRequestOptions;
}

export class MessageChannel implements UpstreamChannel {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: (error?: Error) => void;

  readonly #stream: MessageStream;
  readonly #pending = new Map<string | number, Pending>();
  readonly #byProgressToken = new Map<string | number, Pending>();
  #closed = false;

  constructor(stream: MessageStream) {
    this.#stream = stream;
  }

  request(message: JSONRPCRequest, options: ChannelRequestOptions): Promise<JSONRPCResponseMessage> {
    if (this.#closed) return Promise.reject(this.#lostError());
    const { cancellation } = options;
    if (cancellation.aborted) return Promise.reject(cancellation.reason);
    return new Promise<JSONRPCResponseMessage>((resolve, reject) => {
      const progressToken = message.params?._meta?.progressToken;
      const settle = () => {
        this.#pending.delete(message.id);
        if (progressToken !== undefined) this.#byProgressToken.delete(progressToken);
        stopListening();
      };
      const pending: Pending = {
        resolve: (response) => (settle(), resolve(response)),
        reject: (error) => (settle(), reject(error)),
        options,
      };
      const stopListening = cancellation.onAbort((reason) => {
        settle();
        reject(reason);
      });
      this.#pending.set(message.id, pending);
      if (progressToken !== undefined) this.#byProgressToken.set(progressToken, pending);
      this.#stream.write(message, options.headers).catch((error: unknown) => pending.reject(asError(error)));
    });
  }

  send(message: JSONRPCNotification | JSONRPCResponseMessage): Promise<void> {
    if (this.#closed) return Promise.reject(this.#lostError());
    return this.#stream.write(message);
  }

  /** Feed one message read from the stream. */
  receive(message: JSONRPCMessage): void {
    if (isResponse(message)) {
      this.#pending.get(message.id as string | number)?.resolve(message);
      return;
    }
    if (isNotification(message) && message.method === 'notifications/progress') {
      const token = message.params?.progressToken as string | number | undefined;
      const owner = token === undefined ? undefined : this.#byProgressToken.get(token);
      if (owner?.options.onMessage) return owner.options.onMessage(message);
    }
    if (isRequest(message) || isNotification(message)) this.onmessage?.(message);
  }

  /** Report that the stream ended: every waiting request fails, the kernel is told once. */
  lost(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    const reason = this.#lostError(error);
    for (const pending of [...this.#pending.values()]) pending.reject(reason);
    this.onclose?.(error);
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      const reason = this.#lostError();
      for (const pending of [...this.#pending.values()]) pending.reject(reason);
    }
    await this.#stream.close();
  }

  #lostError(cause?: Error): GatewayError {
    return new GatewayError(ErrorCodes.UPSTREAM_UNAVAILABLE, 'connection to the upstream was lost', { cause });
  }
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
