/**
 * Durations and sizes in the configuration. Durations use Go's syntax (`30s`, `1m30s`, `250ms`,
 * `2h`) because the original gateway was written in Go and its configs must load unchanged; a bare
 * number is milliseconds. Sizes accept `512kb`, `4mb`, `1gb` (powers of 1024) or a number of bytes.
 * (The `ms` and `bytes` packages do not parse Go's compound durations, hence these few lines.)
 */
import { z } from 'zod';

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const durationPart = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Milliseconds in a Go-style duration, or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(durationPart)) total += Number(amount) * durationUnits[unit!]!;
  return Math.round(total);
}

const sizeUnits: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Bytes in a size such as `4mb`, or undefined when the text is not one. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'b').toLowerCase().replace('ib', 'b');
  return Math.round(Number(match[1]) * sizeUnits[unit]!);
}

/** A duration field: `30s`, `1m30s`, `500ms`, or a number of milliseconds. Parses to milliseconds. */
export const duration = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a duration`,
      params: { fix: 'write it like 30s, 1m30s or 500ms' },
    });
    return z.NEVER;
  }
  return ms;
});

/** A size field: `4mb`, `512kb`, or a number of bytes. Parses to bytes. */
export const size = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const bytes = parseSize(value);
  if (bytes === undefined || bytes <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a size`,
      params: { fix: 'write it like 4mb, 512kb or a number of bytes' },
    });
    return z.NEVER;
  }
  return bytes;
});

/** A duration for people: `30s`, `1m30s`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  const parts: string[] = [];
  let seconds = ms / 1000;
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size) parts.push(`${Math.floor(seconds / size)}${unit}`), (seconds %= size);
  }
  if (seconds) parts.push(`${seconds}s`);
  return parts.join('');
}
