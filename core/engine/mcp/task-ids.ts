/**
 * Task ids of the tasks extension (`io.modelcontextprotocol/tasks`) as the gateway gives them to
 * 2026-07-28 clients. An upstream's task id is meaningful only at that upstream and a client
 * echoes it back, so the gateway hands out its own: signed (request-state.ts), naming the server,
 * the upstream's id and the tool that made the task, and bound to the principal, so that
 * `tasks/get|update|cancel` reach the right upstream, for no one else, under the tool's policy.
 */
import type { Principal } from '../../kernel/context.ts';
import type { RequestStateSeal } from './request-state.ts';

/** Where a task the gateway's id names lives. */
export interface UpstreamTask {
  /** The upstream server. */
  readonly server: string;
  /** The task id the upstream gave. */
  readonly taskId: string;
  /** The exposed name of the tool whose call made the task. */
  readonly tool: string;
}

/** How long an id is honoured when the upstream keeps its task without limit (`ttlMs: null`). */
const UNLIMITED_TASK_MS = 30 * 24 * 3600_000;

const bindingOf = (principal: Principal | undefined) => `task\n${principal?.subject ?? ''}`;

export class TaskIds {
  readonly #seal: RequestStateSeal;

  constructor(seal: RequestStateSeal) {
    this.#seal = seal;
  }

  /** The id a client is given for `task`, valid as long as the upstream keeps the task (`ttlMs`). */
  wrap(task: UpstreamTask, ttlMs: unknown, principal: Principal | undefined): string {
    const { server: s, taskId: t, tool: n } = task;
    const lifetime = typeof ttlMs === 'number' && ttlMs > 0 ? ttlMs : UNLIMITED_TASK_MS;
    return this.#seal.seal({ s, t, n }, bindingOf(principal), lifetime);
  }

  /** The task a client's id names; an `RpcError` (-32602) if the gateway did not give it to this principal. */
  open(id: unknown, principal: Principal | undefined): UpstreamTask {
    const { s, t, n } = this.#seal.open(id, bindingOf(principal), 'taskId') as { s: string; t: string; n: string };
    return { server: s, taskId: t, tool: n };
  }
}
