/** Real processes for end-to-end tests: fixture MCP servers and the gateway started by its CLI. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { stopChild } from '../../scripts/stop-child.ts';
import { startNginx, type Nginx } from '../../scripts/nginx.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const binPath = join(repoRoot, 'core/cli/bin.js');
export const tsxCli = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
export const fixturePath = join(repoRoot, 'test/fixtures/fixture-server.ts');

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export const tempDir = (prefix = 'mcpgw-') => mkdtempSync(join(tmpdir(), prefix));

/** The command that runs the fixture server over stdio, for a gateway config. */
export const fixtureStdioCommand = { command: process.execPath, args: [tsxCli, fixturePath, 'stdio'] };

export interface FixtureHttp {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** A fixture MCP server over Streamable HTTP on a free loopback port. */
export function startFixtureHttp(name = 'fixture', port = 0, env: Record<string, string> = {}): Promise<FixtureHttp> {
  return startHttpServer([fixturePath, 'http', String(port)], { ...env, FIXTURE_NAME: name });
}

const bothErasPath = join(repoRoot, 'test/fixtures/both-eras-server.ts');

/**
 * The fixture of the SDK's v2 line that serves both protocol eras (test/fixtures/both-eras-server.ts);
 * `modernOnly`: only the 2026-07-28 one; on `port`, or a free one.
 */
export function startBothErasFixture({ modernOnly = false, port = 0 } = {}): Promise<FixtureHttp> {
  return startHttpServer([bothErasPath, String(port), ...(modernOnly ? ['--modern-only'] : [])]);
}

/** The conformance suite's fixtures on the SDK's v2 line, both protocol eras (test/fixtures/conformance-server.ts). */
export function startConformanceFixture(): Promise<FixtureHttp> {
  return startHttpServer([join(repoRoot, 'test/fixtures/conformance-server.ts'), '0']);
}

/** The same fixture as a stdio server. */
export const bothErasStdioCommand = { command: process.execPath, args: [tsxCli, bothErasPath, '--stdio'] };

/** A TypeScript server script run with `args`, which prints `{"port": N}` once listening. */
async function startHttpServer(args: string[], env: Record<string, string> = {}): Promise<FixtureHttp> {
  const child = track(
    spawn(process.execPath, [tsxCli, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fixture server exited with ${code}`)));
  });
  const actual = (JSON.parse(line) as { port: number }).port;
  return { port: actual, url: `http://127.0.0.1:${actual}/mcp`, child, stop: () => stopChild(child) };
}

export { stopChild };

export interface RunningGateway {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly mcpUrl: string;
  readonly configFile: string;
  /** Parsed JSON log lines so far. */
  readonly logs: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first log line matching, waiting for it if needed. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Send a signal and resolve with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export interface GatewayProcessOptions {
  /** A config object (written as YAML) or YAML text. */
  readonly config: object | string;
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Resolve once listening, without waiting for the boot to complete. */
  readonly untilListening?: boolean;
}

/** The line a gateway logs once it is ready: `mcp-gateway ready: <url> (...)`. */
export const isReadyLine = (line: Record<string, unknown>) => String(line.msg).startsWith('mcp-gateway ready: ');

/** `mcp-gateway serve` in a child process, on a free port, logging JSON. */
export async function startGateway(options: GatewayProcessOptions): Promise<RunningGateway> {
  const dir = tempDir();
  const configFile = join(dir, 'mcp-gateway.yaml');
  writeFileSync(configFile, typeof options.config === 'string' ? options.config : stringify(options.config));
  const args = [
    binPath,
    'serve',
    '--config',
    configFile,
    '--port',
    '0',
    '--log-format',
    'json',
    '--log-level',
    'debug',
    ...(options.args ?? []),
  ];
  const child = track(
    spawn(process.execPath, args, {
      cwd: options.cwd ?? dir,
      env: { ...cleanEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const logs: Record<string, unknown>[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] =
    [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { msg: text };
    }
    logs.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) waiters.splice(waiters.indexOf(waiter), 1), waiter.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForLog = (match: (l: Record<string, unknown>) => boolean, timeoutMs = 20_000) => {
    const seen = logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no such log line within ${timeoutMs} ms; stderr: ${stderr}`)),
        timeoutMs,
      );
      waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      void exited.then((code) => reject(new Error(`gateway exited (${code}) before the log line; stderr: ${stderr}`)));
    });
  };
  const listening = await waitForLog((l) => l.msg === 'listening');
  const port = Number(new URL(String(listening.address)).port);
  if (!options.untilListening) await waitForLog(isReadyLine);
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    baseUrl,
    mcpUrl: `${baseUrl}/mcp`,
    configFile,
    logs,
    stderr: () => stderr,
    waitForLog,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The environment without the test runner's MCP_GATEWAY_* settings. */
export function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MCP_GATEWAY_'))) as Record<
    string,
    string
  >;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the CLI to completion. */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = track(
    spawn(process.execPath, [binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...cleanEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-gateway ${args.join(' ')} did not exit; stderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A TCP port free on loopback right now (to start a server on it later, or to find it refused). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A real nginx on a free port, round-robin over `replicas` (no sticky sessions). */
export async function nginxInFrontOf(replicas: readonly RunningGateway[]): Promise<Nginx> {
  return startNginx(
    replicas.map((replica) => Number(new URL(replica.baseUrl).port)),
    await freePort(),
  );
}

/** Stop the nginx and the replicas behind it. */
export async function stopReplicas(nginx: Nginx | undefined, replicas: readonly RunningGateway[] | undefined) {
  await nginx?.stop();
  await Promise.all((replicas ?? []).map((replica) => replica.stop()));
}
