/**
 * A 2026-07-28 upstream's `input_required` results, for a client that can be asked directly (a
 * 2025 session, which has a stream for the gateway's requests): each input request becomes a
 * real request to the client, and the answers go back to the upstream as the retry's
 * `inputResponses`, with the upstream's `requestState` as it gave it, until the upstream's result
 * is complete. The upstream was given the client's capabilities, so it asks only what the client
 * declared.
 */
import { ErrorCodes, GatewayError, RpcCodes } from '../../kernel/errors.ts';
import type { OperationRuntime } from './operation-context.ts';

type Result = Record<string, unknown>;

/** Rounds past this are an upstream that never settles (the SDK's client stops at the same count). */
export const MAX_INPUT_ROUNDS = 10;

/** `result` once every round it asks for is answered by the client. */
export async function answerRounds(
  first: Result,
  runtime: OperationRuntime,
  retry: (inputResponses: Result, requestState: unknown) => Promise<Result>,
): Promise<Result> {
  let result = first;
  for (let round = 0; result.resultType === 'input_required'; round++) {
    if (round === MAX_INPUT_ROUNDS)
      throw new GatewayError(ErrorCodes.UPSTREAM_PROTOCOL, `the upstream still asked for input after ${round} rounds`, {
        rpcCode: RpcCodes.INTERNAL_ERROR,
      });
    const asked = Object.entries((result.inputRequests as Record<string, Result> | undefined) ?? {});
    const answers = await Promise.all(
      asked.map(async ([key, request]) => {
        const { method, params } = request as { method?: unknown; params?: Result };
        if (typeof method !== 'string')
          throw new GatewayError(ErrorCodes.UPSTREAM_PROTOCOL, `the upstream's input request "${key}" names no method`);
        return [key, await runtime.peer.request({ method, params }, runtime.cancellation.signal)] as const;
      }),
    );
    result = await retry(Object.fromEntries(answers), result.requestState);
  }
  return result;
}
