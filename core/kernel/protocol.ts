/**
 * The MCP and JSON-RPC shapes the gateway speaks, re-exported from the SDK as types only (no
 * runtime schemas are loaded for them), plus the few guards the gateway needs on the hot path.
 */
export type {
  CallToolRequest,
  CallToolResult,
  ClientCapabilities,
  GetPromptRequest,
  GetPromptResult,
  Implementation,
  InitializeResult,
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  Prompt,
  ReadResourceRequest,
  ReadResourceResult,
  RequestId,
  Resource,
  ResourceTemplate,
  ServerCapabilities,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
} from '@modelcontextprotocol/sdk/types.js';

/** A JSON-RPC response: a result or an error, for one request id. */
export type JSONRPCResponseMessage = JSONRPCResultResponse | JSONRPCErrorResponse;

/** The protocol version this gateway speaks first (MCP 2025-11-25). */
export const LATEST_PROTOCOL_VERSION = '2025-11-25';

type Loose = Record<string, unknown>;

export const isRequest = (m: JSONRPCMessage): m is JSONRPCRequest =>
  typeof (m as Loose).method === 'string' && (m as Loose).id !== undefined;

export const isNotification = (m: JSONRPCMessage): m is JSONRPCNotification =>
  typeof (m as Loose).method === 'string' && (m as Loose).id === undefined;

export const isResponse = (m: JSONRPCMessage): m is JSONRPCResponseMessage =>
  (m as Loose).method === undefined && ('result' in m || 'error' in m);

export const isErrorResponse = (m: JSONRPCMessage): m is JSONRPCErrorResponse => isResponse(m) && 'error' in m;
