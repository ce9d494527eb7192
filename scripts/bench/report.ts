/**
 * What the benchmark prints: per section one README-ready markdown table under a header that says
 * when, on what and with which versions it was measured, each target marked ✓ or ✗; or all of it
 * as one JSON document (`--json`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { root } from './processes.ts';

export interface Environment {
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  readonly mcpGateway: string;
  readonly sdk: string;
}

export const packageVersion = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

export function environment(): Environment {
  let commit = '';
  try {
    commit = ` (${execFileSync('git', ['describe', '--always', '--dirty'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()})`;
  } catch {
    // not a git checkout: the version alone
  }
  const cpu = cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM`,
    node: process.version,
    mcpGateway: `${packageVersion(root)}${commit}`,
    sdk: packageVersion(join(root, 'node_modules/@modelcontextprotocol/sdk')),
  };
}

export interface Check {
  readonly what: string;
  readonly value: number;
  readonly target: string;
  readonly pass: boolean;
}

/** Targets met or missed; each check also gives the table cell that shows it. */
export class Checks {
  readonly list: Check[] = [];

  atLeast(what: string, value: number, min: number, format: (n: number) => string): string {
    return this.#add(what, value, `≥${format(min)}`, value >= min, format);
  }

  atMost(what: string, value: number, max: number, format: (n: number) => string): string {
    return this.#add(what, value, `≤${format(max)}`, value <= max, format);
  }

  none(what: string, count: number): string {
    return this.#add(what, count, '= 0', count === 0, String);
  }

  #add(what: string, value: number, target: string, pass: boolean, format: (n: number) => string): string {
    this.list.push({ what, value, target, pass });
    return `${format(value)} ${pass ? '✓' : '✗'}`;
  }
}

export interface Section {
  readonly key: string;
  readonly title: string;
  /** How it was measured, one sentence or two. */
  readonly settings: string;
  readonly columns: readonly string[];
  /** One letter per column, l or r; default: the first left, the others right. */
  readonly align?: string;
  readonly rows: readonly (readonly string[])[];
  readonly checks: readonly Check[];
  readonly notes: readonly string[];
  /** The numbers, for --json. */
  readonly data: unknown;
}

export const fixed = (digits: number) => (n: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
export const ms = fixed(2);
export const perSecond = fixed(0);
export const ratio = (n: number) => `${fixed(2)(n)}×`;
export const mib = (kb: number) => fixed(0)(kb / 1024);
export const latencies = (r: { p50: number; p90: number; p99: number }) => `${ms(r.p50)} / ${ms(r.p90)} / ${ms(r.p99)}`;

export function markdown(env: Environment, section: Section): string {
  const align = section.align ?? `l${'r'.repeat(section.columns.length - 1)}`;
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const targets = section.checks.map((c) => `${c.pass ? '✓' : '✗'} ${c.what} ${c.target}`);
  return [
    `### ${section.title}`,
    '',
    `${env.date}, ${env.machine}, Node ${env.node}, mcp-gateway ${env.mcpGateway}, @modelcontextprotocol/sdk ${env.sdk}.`,
    section.settings,
    '',
    row(section.columns),
    row([...align].map((a) => (a === 'l' ? ':---' : '---:'))),
    ...section.rows.map(row),
    '',
    ...(targets.length ? [`Targets: ${targets.join('; ')}.`, ''] : []),
    ...section.notes.flatMap((note) => [note, '']),
  ].join('\n');
}

export function json(
  env: Environment,
  options: object,
  sections: readonly Section[],
  failed: Record<string, string>,
): string {
  const bySection = Object.fromEntries(
    sections.map(({ key, title, settings, checks, notes, data }) => [key, { title, settings, checks, notes, data }]),
  );
  return `${JSON.stringify({ environment: env, options, sections: bySection, failed }, null, 2)}\n`;
}
