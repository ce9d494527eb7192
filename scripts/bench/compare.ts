/**
 * Alternating rounds: at each concurrency, every target once per round, so that all of them see
 * the same machine state (thermal, caches, other load), then averaged. Each round starts one
 * target later (A B C, B C A, C A B, ...): where a target stands in a round moves its result
 * (measured at one client: the byte proxy at 0.74× of direct right after it, 0.88× right after the
 * gateway), so none keeps one place. As many rounds as targets give each every place once.
 */
import { combine, runLoad, type LoadOptions, type LoadResult } from './load.ts';

export interface Target {
  readonly name: string;
  readonly url: string;
  readonly client?: LoadOptions['client'];
  readonly transport?: LoadOptions['transport'];
  readonly operation: LoadOptions['operation'];
  readonly cpuOf?: LoadOptions['cpuOf'];
}

export interface CompareOptions {
  readonly levels: readonly number[];
  readonly rounds: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface Compared {
  /** Per concurrency level, per target name; a target that failed has no entry from then on. */
  readonly levels: { concurrency: number; results: Record<string, LoadResult> }[];
  /** Target name → why it stopped being measured. */
  readonly failures: Record<string, string>;
}

export async function alternate(
  targets: readonly Target[],
  options: CompareOptions,
  progress: (line: string) => void,
): Promise<Compared> {
  const failures: Record<string, string> = {};
  const levels: Compared['levels'] = [];
  for (const concurrency of options.levels) {
    const rounds = new Map<string, LoadResult[]>();
    for (let round = 1; round <= options.rounds; round++) {
      for (const target of targets.map((_, i) => targets[(i + round - 1) % targets.length]!)) {
        if (failures[target.name]) continue;
        try {
          const result = await runLoad({
            ...target,
            concurrency,
            warmupMs: options.warmupMs,
            durationMs: options.durationMs,
          });
          rounds.set(target.name, [...(rounds.get(target.name) ?? []), result]);
        } catch (error) {
          // One target failing (a peer that crashes, say) must not cost the others their numbers.
          failures[target.name] = error instanceof Error ? error.message : String(error);
          progress(`${target.name} failed at c=${concurrency}: ${failures[target.name]}`);
        }
      }
      progress(`c=${concurrency} round ${round}/${options.rounds} done`);
    }
    const results: Record<string, LoadResult> = {};
    for (const [name, each] of rounds) if (!failures[name]) results[name] = combine(each);
    levels.push({ concurrency, results });
  }
  return { levels, failures };
}
