/**
 * One configured upstream server over its whole life: connect, handshake, discover its
 * catalogue, serve requests, notice when it is lost, reconnect with backoff. Its state is what
 * `/ready` reports and what the catalogue is built from.
 */
import type { Logger } from 'pino';
import { ErrorCodes, GatewayError, RpcCodes } from '../errors.ts';
import {
  isRequest,
  type Implementation,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type Tool,
} from '../protocol.ts';
import { backoffDelay, type BackoffSettings } from './backoff.ts';
import { UpstreamClient, type UpstreamRequestOptions } from './client.ts';
import type { TransportFactory, UpstreamServer } from './types.ts';

export type UpstreamState = 'connecting' | 'ready' | 'down' | 'closed';

export interface UpstreamCatalogue {
  readonly tools: readonly Tool[];
  readonly prompts: readonly Prompt[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
}

export interface UpstreamStatus {
  readonly name: string;
  readonly type: string;
  readonly state: UpstreamState;
  readonly required: boolean;
  /** When the upstream entered its current state (ISO 8601). */
  readonly since: string;
  readonly error?: string;
  /** Failed connection attempts since the last success. */
  readonly failures: number;
  readonly serverInfo?: Implementation;
  readonly tools: number;
  readonly prompts: number;
  readonly resources: number;
}

export interface UpstreamOptions {
  readonly server: UpstreamServer;
  readonly prefix: string;
  readonly required: boolean;
  readonly timeoutMs: number;
  /** For the handshake and discovery, which may take longer than a call (a child may download first). */
  readonly connectTimeoutMs: number;
  readonly backoff: BackoffSettings;
  readonly transport: TransportFactory;
  readonly logger: Logger;
  readonly clientInfo: Implementation;
}

const emptyCatalogue: UpstreamCatalogue = { tools: [], prompts: [], resources: [], resourceTemplates: [] };

type ListKind = keyof UpstreamCatalogue;
const listMethods: Record<ListKind, { method: string; key: string; capability: 'tools' | 'prompts' | 'resources' }> = {
  tools: { method: 'tools/list', key: 'tools', capability: 'tools' },
  prompts: { method: 'prompts/list', key: 'prompts', capability: 'prompts' },
  resources: { method: 'resources/list', key: 'resources', capability: 'resources' },
  resourceTemplates: { method: 'resources/templates/list', key: 'resourceTemplates', capability: 'resources' },
};
const listChangedKinds: Record<string, ListKind[]> = {
  'notifications/tools/list_changed': ['tools'],
  'notifications/prompts/list_changed': ['prompts'],
  'notifications/resources/list_changed': ['resources', 'resourceTemplates'],
};

export class Upstream {
  readonly name: string;
  readonly prefix: string;
  readonly required: boolean;
  catalogue: UpstreamCatalogue = emptyCatalogue;
  /** Called when the catalogue's content changed (not on every refresh). */
  oncataloguechange?: () => void;
  /** Settles when the first connection attempt has ended, whatever its outcome. */
  readonly firstAttempt: Promise<void>;

  readonly #options: UpstreamOptions;
  readonly #log: Logger;
  readonly #stopping = new AbortController();
  /** Set only while ready: the connection requests go to. */
  #client: UpstreamClient | undefined;
  #serverInfo: Implementation | undefined;
  #state: UpstreamState = 'connecting';
  #since = new Date();
  #error: string | undefined;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #connecting: Promise<void> | undefined;
  #endFirstAttempt!: () => void;

  constructor(options: UpstreamOptions) {
    this.#options = options;
    this.name = options.server.name;
    this.prefix = options.prefix;
    this.required = options.required;
    this.#log = options.logger;
    this.firstAttempt = new Promise((resolve) => (this.#endFirstAttempt = resolve));
  }

  get state(): UpstreamState {
    return this.#state;
  }

  status(): UpstreamStatus {
    const info = this.#serverInfo;
    return {
      name: this.name,
      type: this.#options.server.type,
      state: this.#state,
      required: this.required,
      since: this.#since.toISOString(),
      ...(this.#error === undefined ? {} : { error: this.#error }),
      failures: this.#failures,
      ...(info ? { serverInfo: info } : {}),
      tools: this.catalogue.tools.length,
      prompts: this.catalogue.prompts.length,
      resources: this.catalogue.resources.length,
    };
  }

  start(): void {
    this.#attempt();
  }

  /** Send a request to this upstream, or fail at once with an error naming it when it is not connected. */
  request(method: string, params: Record<string, unknown> | undefined, options?: UpstreamRequestOptions) {
    const client = this.#client;
    if (this.#state !== 'ready' || !client) {
      throw new GatewayError(ErrorCodes.UPSTREAM_UNAVAILABLE, `upstream server "${this.name}" is ${this.#state}`, {
        rpcCode: RpcCodes.INTERNAL_ERROR,
        data: { server: this.name, state: this.#state },
      });
    }
    const onMessage = options?.onMessage;
    if (!onMessage) return client.request(method, params, options);
    return client.request(method, params, {
      ...options,
      onMessage: (message) => (isRequest(message) ? this.#answerServerRequest(client, message) : onMessage(message)),
    });
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    clearTimeout(this.#retryTimer);
    // An attempt in flight sees the abort, closes what it opened and settles.
    await this.#connecting;
    this.#setState('closed');
    const client = this.#client;
    this.#client = undefined;
    this.#endFirstAttempt();
    if (client) await client.close().catch((error: unknown) => this.#log.warn({ err: error }, 'error while closing upstream'));
  }

  #attempt(): void {
    this.#connecting = this.#connect().finally(() => (this.#connecting = undefined));
  }

  async #connect(): Promise<void> {
    if (this.#stopping.signal.aborted) return;
    this.#setState('connecting');
    const { server, transport, timeoutMs, clientInfo } = this.#options;
    let client: UpstreamClient | undefined;
    try {
      const channel = await transport.open(server, { logger: this.#log, signal: this.#stopping.signal });
      client = new UpstreamClient(channel, this.name, timeoutMs);
      const connected = client;
      let lostWhileConnecting: Error | undefined;
      channel.onclose = (error) => {
        if (this.#client === connected) this.#lost(connected, error);
        else lostWhileConnecting = error ?? new Error('connection closed');
      };
      channel.onmessage = (message) => this.#onServerMessage(connected, message);
      const init = await client.initialize(clientInfo, {}, this.#handshake());
      this.#serverInfo = init.serverInfo;
      await this.#discover(client, Object.keys(listMethods) as ListKind[]);
      this.#stopping.signal.throwIfAborted();
      if (lostWhileConnecting) throw lostWhileConnecting;
      this.#client = client;
      this.#failures = 0;
      this.#error = undefined;
      this.#setState('ready');
      this.#log.info(
        { upstream: init.serverInfo, protocolVersion: init.protocolVersion, tools: this.catalogue.tools.length },
        'upstream connected',
      );
    } catch (error) {
      await client?.close().catch(() => {});
      if (this.#stopping.signal.aborted) return;
      this.#failures += 1;
      this.#error = error instanceof Error ? error.message : String(error);
      this.#setState('down');
      this.#scheduleReconnect();
    } finally {
      this.#endFirstAttempt();
    }
  }

  #handshake() {
    return { signal: this.#stopping.signal, timeoutMs: this.#options.connectTimeoutMs };
  }

  #scheduleReconnect(): void {
    const delay = backoffDelay(this.#failures - 1, this.#options.backoff);
    this.#log.warn({ error: this.#error, failures: this.#failures, retryInMs: delay }, 'upstream unavailable');
    this.#retryTimer = setTimeout(() => this.#attempt(), delay);
    this.#retryTimer.unref();
  }

  #lost(client: UpstreamClient, error?: Error): void {
    if (this.#stopping.signal.aborted) return;
    this.#client = undefined;
    this.#failures += 1;
    this.#error = error?.message ?? 'connection closed';
    this.#setState('down');
    this.#scheduleReconnect();
  }

  /** Fetch the lists this upstream offers; a list that fails is logged and kept as it was. */
  async #discover(client: UpstreamClient, kinds: ListKind[]): Promise<void> {
    const capabilities = client.initializeResult?.capabilities ?? {};
    const next: Record<ListKind, readonly unknown[]> = { ...this.catalogue };
    await Promise.all(
      kinds.map(async (kind) => {
        const { method, key, capability } = listMethods[kind];
        if (!capabilities[capability]) return void (next[kind] = []);
        try {
          next[kind] = await client.listAll(method, key, this.#handshake());
        } catch (error) {
          if (kind === 'tools') throw error;
          this.#log.warn({ err: error, method }, 'upstream list failed; keeping the previous one');
        }
      }),
    );
    const updated = next as unknown as UpstreamCatalogue;
    const changed = kinds.some((kind) => JSON.stringify(updated[kind]) !== JSON.stringify(this.catalogue[kind]));
    this.catalogue = updated;
    // While connecting, becoming ready announces the catalogue (see #setState).
    if (changed && this.#state === 'ready') this.oncataloguechange?.();
  }

  #onServerMessage(client: UpstreamClient, message: JSONRPCMessage): void {
    if (isRequest(message)) return void this.#answerServerRequest(client, message);
    const method = (message as { method?: string }).method ?? '';
    const kinds = listChangedKinds[method];
    if (kinds) {
      this.#discover(client, kinds).catch((error: unknown) => this.#log.warn({ err: error }, 'refresh after list_changed failed'));
      return;
    }
    if (method === 'notifications/message') {
      this.#log.info({ upstreamLog: (message as { params?: unknown }).params }, 'upstream log message');
      return;
    }
    this.#log.debug({ method }, 'upstream notification not forwarded');
  }

  #answerServerRequest(client: UpstreamClient, request: JSONRPCRequest): void {
    const reply =
      request.method === 'ping'
        ? { jsonrpc: '2.0' as const, id: request.id, result: {} }
        : {
            jsonrpc: '2.0' as const,
            id: request.id,
            error: { code: RpcCodes.METHOD_NOT_FOUND, message: `mcp-gateway does not relay ${request.method} on this connection` },
          };
    client.channel.send(reply).catch((error: unknown) => this.#log.debug({ err: error }, 'could not answer upstream request'));
  }

  #setState(state: UpstreamState): void {
    if (this.#state === state) return;
    const visibilityChanged = this.#state === 'ready' || state === 'ready';
    this.#state = state;
    this.#since = new Date();
    // Only a ready upstream's items are listed, so entering or leaving `ready` changes the catalogue.
    if (visibilityChanged) this.oncataloguechange?.();
  }
}
