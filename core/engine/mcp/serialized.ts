/**
 * Results whose JSON is already known. A long list (thousands of tools across upstreams) is the
 * same from one request to the next until the catalogue changes, and serializing it again (then
 * measuring and encoding the text) dominated the cost of answering it. So each list page keeps its
 * JSON bytes for as long as the list it was cut from lives (the catalogue is rebuilt, never
 * changed in place, and list hooks return new arrays and objects for what they change), each item
 * keeps its JSON text for lists a hook made anew (a per-caller filter, say), and the fast path
 * writes the answer from those bytes.
 */
import type { JSONRPCMessage } from '../../kernel/protocol.ts';

const serializedJson = Symbol('mcp-gateway.serializedJson');
const itemJson = new WeakMap<object, string>();
const pageJson = new WeakMap<readonly unknown[], Map<string, Buffer>>();

function jsonOf(value: object): string {
  let json = itemJson.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    itemJson.set(value, json);
  }
  return json;
}

export interface PageSource {
  /** The whole list the page was cut from: the bytes live as long as it does. */
  readonly list: readonly unknown[];
  /** Which page of it (its cursor). */
  readonly cursor: string;
}

/** A page of a list (`{ [key]: values, nextCursor? }`) that knows its JSON bytes, built on first use. */
export function listPage(
  key: string,
  values: readonly object[],
  nextCursor: string | undefined,
  source: PageSource,
): Record<string, unknown> {
  const page: Record<string, unknown> = { [key]: values, ...(nextCursor ? { nextCursor } : {}) };
  Object.defineProperty(page, serializedJson, {
    get: () => {
      let pages = pageJson.get(source.list);
      if (!pages) pageJson.set(source.list, (pages = new Map()));
      let bytes = pages.get(source.cursor);
      if (!bytes) {
        const more = nextCursor ? `,"nextCursor":${JSON.stringify(nextCursor)}` : '';
        bytes = Buffer.from(`{${JSON.stringify(key)}:[${values.map(jsonOf).join(',')}]${more}}`);
        pages.set(source.cursor, bytes);
      }
      return bytes;
    },
  });
  return page;
}

/** A JSON-RPC message as bytes (when its result knows its own) or text. */
export function messageJson(message: JSONRPCMessage): string | Uint8Array<ArrayBuffer> {
  const { id, result } = message as { id?: unknown; result?: { [serializedJson]?: Buffer } };
  const known = result?.[serializedJson];
  if (known === undefined) return JSON.stringify(message);
  return Buffer.concat([
    Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`),
    known,
    closingBrace,
  ]) as Uint8Array<ArrayBuffer>;
}

const closingBrace = Buffer.from('}');
