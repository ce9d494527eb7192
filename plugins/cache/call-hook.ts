/**
 * The `onCallTool` hook: for a call some rule makes cacheable, answer from the store when it holds
 * the result, else call the upstream and keep the result, unless it is a tool error (`isError`),
 * a request for the client's input (`input_required`, which a retry continues),
 * larger than `max_result_size`, or the call failed (thrown errors pass through, uncached). A hit
 * is the stored result exactly (every field, `structuredContent`, `_meta`, unknown ones), parsed
 * anew from JSON each time so that no later hook can change what the cache holds.
 */
import type { CallToolResult, OperationHook, ToolCallContext } from 'mcp-gateway';
import { cacheKey } from './key.ts';
import type { CacheMetrics } from './metrics.ts';
import type { CompiledRule } from './rules.ts';
import { ttlFor } from './rules.ts';
import type { StoreOperation } from './store-errors.ts';
import type { Lookup, ResultStore } from './store.ts';

export interface CallHookOptions {
  readonly rules: readonly CompiledRule[];
  readonly store: ResultStore;
  readonly maxResultSize: number;
  readonly metrics: CacheMetrics;
  readonly storeError: (operation: StoreOperation, error: unknown) => void;
}

export function cacheCalls(options: CallHookOptions): OperationHook<ToolCallContext, CallToolResult> {
  const { rules, store, maxResultSize, metrics, storeError } = options;

  const lookup = async (call: ToolCallContext): Promise<{ lookup?: Lookup; hit?: CallToolResult }> => {
    let found: Lookup;
    try {
      found = await store.lookup(call.server, cacheKey(call));
    } catch (error) {
      storeError('lookup', error);
      return {};
    }
    if (found.value === undefined) return { lookup: found };
    try {
      return { lookup: found, hit: JSON.parse(found.value) as CallToolResult };
    } catch (error) {
      storeError('lookup', error); // not JSON: something else wrote the key; overwrite it
      return { lookup: found };
    }
  };

  return async function resultCache(call, next) {
    const ttlMs = ttlFor(rules, call.server, call.tool, call.definition);
    // A round of a multi-round call continues one call in progress: never answered from the cache.
    if (ttlMs === undefined || isRetry(call)) return next();
    const labels = { proxy: call.server, tool: call.tool };
    const { lookup: found, hit } = await lookup(call);
    if (hit) {
      metrics.hit(labels);
      call.logger.debug({ server: call.server, tool: call.tool }, 'tool result served from the cache');
      return hit;
    }
    metrics.miss(labels);
    const result = await next();
    if (!found || result.isError === true || result.resultType === 'input_required') return result;
    const json = JSON.stringify(result);
    if (Buffer.byteLength(json) > maxResultSize) return result;
    await found.save(json, ttlMs).catch((error: unknown) => storeError('save', error));
    return result;
  };
}

/** A retry of a call that was answered `input_required`: it carries the answers or the server's state. */
const isRetry = (call: ToolCallContext) =>
  call.params.requestState !== undefined || call.params.inputResponses !== undefined;
