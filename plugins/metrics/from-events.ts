/**
 * The gateway's metrics that count what happened, from the kernel's events: tool calls (under the
 * original gateway's names), MCP operations, HTTP requests, refused authentications, upstream
 * failures and open sessions. Made through the `metrics` service, like any plugin's.
 */
import type {
  AuthEvent,
  GatewayEvent,
  HttpEvent,
  MetricsService,
  OperationEvent,
  SessionEvent,
  UpstreamEvent,
} from 'mcp-gateway';
import { authReason, httpMethod, httpStatus, mcpMethod, operationReason, UNKNOWN } from './labels.ts';

/** Seconds: tool calls range from a cache hit to a long job (timeouts default to 30 s and more). */
const toolCallBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds, to the response's headers (an event stream's lifetime is not counted). */
const httpBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type EventCounter = (event: GatewayEvent) => void;

/** Makes the metrics and returns the observer that updates them. */
export function eventMetrics(metrics: MetricsService, servers: readonly string[]): EventCounter {
  const countOperation = operationMetrics(metrics);
  const countHttp = httpMetrics(metrics);
  const countAuth = authMetrics(metrics);
  const countUpstream = upstreamMetrics(metrics, servers);
  const countSession = sessionMetrics(metrics);
  return function countEvent(event) {
    switch (event.type) {
      case 'operation':
        return countOperation(event);
      case 'http':
        return countHttp(event);
      case 'auth':
        return countAuth(event);
      case 'upstream':
        return countUpstream(event);
      case 'session':
        return countSession(event);
    }
  };
}

function operationMetrics(metrics: MetricsService): (event: OperationEvent) => void {
  const tool = ['proxy', 'tool'];
  const called = metrics.counter(
    'mcp_gateway_tools_called',
    'Tool calls (tools/call requests), by upstream server and tool',
    tool,
  );
  const succeeded = metrics.counter(
    'mcp_gateway_tools_call_success',
    'Tool calls that returned a result without isError',
    tool,
  );
  const failed = metrics.counter(
    'mcp_gateway_tools_call_errors',
    'Tool calls that failed: a result with isError (reason tool_error), or an error',
    [...tool, 'reason'],
  );
  const listed = metrics.counter('mcp_gateway_list_tools', 'tools/list requests');
  const duration = metrics.histogram(
    'mcp_gateway_tool_call_duration_seconds',
    'Duration of tool calls through the gateway, by upstream server, tool and outcome',
    [...tool, 'outcome'],
    toolCallBuckets,
  );
  const operations = metrics.counter(
    'mcp_gateway_operations_total',
    'MCP requests answered, by method, outcome and reason',
    ['method', 'outcome', 'reason'],
  );
  return (event) => {
    const reason = operationReason(event);
    operations.inc({ method: mcpMethod(event.method), outcome: event.outcome, reason });
    if (event.method === 'tools/list') listed.inc();
    if (event.method !== 'tools/call') return;
    // Only a name the catalogue resolves becomes a label: guessed names share one series.
    const target = event.target?.kind === 'tool' ? event.target : undefined;
    const labels = { proxy: target?.server ?? UNKNOWN, tool: target?.name ?? UNKNOWN };
    called.inc(labels);
    if (event.outcome === 'success') succeeded.inc(labels);
    else failed.inc({ ...labels, reason });
    duration.observe({ ...labels, outcome: event.outcome }, event.durationMs / 1000);
  };
}

function httpMetrics(metrics: MetricsService): (event: HttpEvent) => void {
  const duration = metrics.histogram(
    'mcp_gateway_http_request_duration_seconds',
    'Duration of HTTP requests to the gateway, to the response headers, by method, route and status',
    ['method', 'route', 'status'],
    httpBuckets,
  );
  return (event) =>
    duration.observe(
      { method: httpMethod(event.method), route: event.route, status: httpStatus(event.status) },
      event.durationMs / 1000,
    );
}

function authMetrics(metrics: MetricsService): (event: AuthEvent) => void {
  const failures = metrics.counter('mcp_gateway_auth_failures_total', 'Requests refused by authentication, by reason', [
    'reason',
  ]);
  return (event) => failures.inc({ reason: authReason(event.reason) });
}

function upstreamMetrics(metrics: MetricsService, servers: readonly string[]): (event: UpstreamEvent) => void {
  const failures = metrics.counter(
    'mcp_gateway_upstream_failures_total',
    'Failed connection attempts to an upstream server, and connections lost',
    ['proxy'],
  );
  // Every configured server has its series from the start, so that increase() sees the first failure
  // (a server a reload adds gets its series at its first failure: events name configured servers only).
  for (const proxy of servers) failures.inc({ proxy }, 0);
  return (event) => {
    if (event.state === 'down') failures.inc({ proxy: event.server });
  };
}

function sessionMetrics(metrics: MetricsService): (event: SessionEvent) => void {
  const active = metrics.gauge('mcp_gateway_sessions_active', 'MCP sessions open now');
  active.set({}, 0);
  // The ids of open sessions (at most sessions.max): a close without its open never makes the gauge negative.
  const open = new Set<string>();
  return (event) => {
    if (event.action === 'open') open.add(event.sessionId);
    else open.delete(event.sessionId);
    active.set({}, open.size);
  };
}
