import type { Logger, McpTarget, Principal, RequestState } from '../../kernel/context.ts';

/** What the HTTP layer knows about the request that carries an MCP message. */
export interface HttpScope {
  readonly requestId: string;
  /** The name of the MCP endpoint the request came to (`default`: `/mcp`). */
  readonly endpoint: string;
  readonly logger: Logger;
  readonly principal: Principal | undefined;
  readonly state: RequestState;
  /** Aborted if the client goes away before its answer is written (made on first use: `onGone` costs less). */
  readonly signal: AbortSignal;
  /** Call `listener` if the client goes away before its answer is written; returns what stops listening. */
  onGone(listener: (reason: unknown) => void): () => void;
  /** What the POSTed message targets (its tool, prompt or resource), resolved once for the hooks and the operation event. */
  readonly target?: McpTarget;
}
