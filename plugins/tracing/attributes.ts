/**
 * Span attribute names. The MCP ones follow the OpenTelemetry semantic conventions for MCP
 * (development status: copied here, as the conventions advise, rather than imported from the
 * `incubating` entry point); what only a gateway knows lives under `mcp_gateway.`.
 */
import type { Attributes } from '@opentelemetry/api';
import type { McpTarget } from 'mcp-gateway';

export const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
export const ATTR_MCP_SESSION_ID = 'mcp.session.id';
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_JSONRPC_REQUEST_ID = 'jsonrpc.request.id';
export const ATTR_RPC_RESPONSE_STATUS_CODE = 'rpc.response.status_code';
export const ATTR_NETWORK_TRANSPORT = 'network.transport';

/** The upstream server (its `name` in `proxy.servers`) that owns the operation's target. */
export const ATTR_GATEWAY_SERVER = 'mcp_gateway.server';
/** `success`, `tool_error` (a `tools/call` whose result has `isError: true`) or `error`. */
export const ATTR_GATEWAY_OUTCOME = 'mcp_gateway.outcome';
/** The gateway's correlation id of the HTTP request (`X-Request-Id`), as in its logs. */
export const ATTR_GATEWAY_REQUEST_ID = 'mcp_gateway.request_id';

/** The span name: `{method} {tool or prompt}`; a resource URI is an attribute only (too many values). */
export const spanName = (method: string, kind: McpTarget['kind'] | undefined, name: string | undefined): string =>
  name !== undefined && (kind === 'tool' || kind === 'prompt') ? `${method} ${name}` : method;

/** The attributes naming a method's target: `name` is the tool, prompt or URI as this side knows it. */
export function targetAttributes(
  method: string,
  server: string | undefined,
  kind: McpTarget['kind'] | undefined,
  name: string | undefined,
): Attributes {
  return {
    [ATTR_MCP_METHOD_NAME]: method,
    ...(method === 'tools/call' && { [ATTR_GEN_AI_OPERATION_NAME]: 'execute_tool' }),
    ...(server !== undefined && { [ATTR_GATEWAY_SERVER]: server }),
    ...(name !== undefined && kind === 'tool' && { [ATTR_GEN_AI_TOOL_NAME]: name }),
    ...(name !== undefined && kind === 'prompt' && { [ATTR_GEN_AI_PROMPT_NAME]: name }),
    ...(name !== undefined && kind === 'resource' && { [ATTR_MCP_RESOURCE_URI]: name }),
  };
}
