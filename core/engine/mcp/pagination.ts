/**
 * The gateway's own pagination of long lists (`proxy.page_size` items a page). Cursors are opaque
 * to clients; one the gateway did not issue is answered with -32602, as the spec asks.
 */
import { ErrorCodes, GatewayError, RpcCodes } from '../../kernel/errors.ts';

const invalid = (message: string) =>
  new GatewayError(ErrorCodes.INVALID_PARAMS, message, { rpcCode: RpcCodes.INVALID_PARAMS });

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

const encode = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64url');

function decode(cursor: unknown): number {
  if (typeof cursor !== 'string') throw invalid('Invalid cursor: expected a string');
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    if (Number.isSafeInteger(offset) && (offset as number) > 0) return offset as number;
  } catch {
    // fall through to the error below
  }
  throw invalid('Invalid cursor');
}

/** One page of `items`, starting where `cursor` says; `pageSize` 0 means one page with everything. */
export function paginate<T>(items: readonly T[], cursor: unknown, pageSize: number): Page<T> {
  const start = cursor === undefined ? 0 : decode(cursor);
  if (start > items.length) throw invalid('Invalid cursor: the list is shorter now; list again from the start');
  if (pageSize <= 0) return { items: start === 0 ? items : items.slice(start) };
  const end = start + pageSize;
  return end < items.length
    ? { items: items.slice(start, end), nextCursor: encode(end) }
    : { items: items.slice(start) };
}
