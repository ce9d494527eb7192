/**
 * An MCP server as a child process: newline-delimited JSON-RPC on its stdin and stdout (the MCP
 * stdio transport), stderr for its log. Started as the SDK's stdio client transport starts it
 * (cross-spawn, no shell, only a safe set of environment variables unless told otherwise) and
 * stopped as it stops it (end of stdin, then SIGTERM, then SIGKILL). Unlike the SDK's transport it
 * does not validate each message it reads against the protocol's schemas: the gateway passes
 * messages through and checks only what it uses, and that validation cost more per tool call
 * than reading and parsing the line.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import spawn from 'cross-spawn';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { JSONRPCMessage } from 'mcp-gateway';
import type { MessageStream } from 'mcp-gateway/message-channel';

export interface ChildOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the safe set of the gateway's variables, or to all of them with `inheritEnv`. */
  readonly env: Readonly<Record<string, string>>;
  readonly inheritEnv: boolean;
  readonly cwd: string;
}

export interface ChildEvents {
  onMessage(message: JSONRPCMessage): void;
  /** A line on stdout that is not a JSON-RPC message: skipped. */
  onInvalid(line: string): void;
  /** The child exited (or could not be started after all); called once. */
  onExit(error: Error): void;
}

/** Wait this long for the child to exit after each step of stopping it. */
const STOP_STEP_MS = 2000;

export class ChildProcessStream implements MessageStream {
  readonly #child: ChildProcess;
  #exited = false;
  readonly #exit: Promise<void>;

  /** Resolves once the child runs; rejects if it cannot be started (a command not found). */
  static start(options: ChildOptions, events: ChildEvents): Promise<ChildProcessStream> {
    const stream = new ChildProcessStream(options, events);
    return new Promise((resolve, reject) => {
      stream.#child.once('spawn', () => resolve(stream));
      stream.#child.once('error', reject);
    });
  }

  private constructor(options: ChildOptions, events: ChildEvents) {
    const base = options.inheritEnv ? (process.env as Record<string, string>) : getDefaultEnvironment();
    this.#child = spawn(options.command, [...options.args], {
      env: { ...base, ...options.env },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    this.#exit = new Promise((resolve) => {
      this.#child.once('close', (code, signal) => {
        this.#exited = true;
        events.onExit(new Error(`${options.command} exited (${signal ?? `code ${code}`})`));
        resolve();
      });
    });
    // A start that fails rejects `start`; a write to a child that has just exited fails with
    // EPIPE. Either way the child's end is reported once, by `close`.
    this.#child.on('error', () => {});
    this.#child.stdin!.on('error', () => {});
    // readline splits on \n and \r\n wherever the chunks break.
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      if (!line.trim()) return;
      const message = parseMessage(line);
      if (message) events.onMessage(message);
      else events.onInvalid(line);
    });
  }

  /** The child's stderr, for the log. */
  get stderr(): Readable {
    return this.#child.stderr!;
  }

  write(message: JSONRPCMessage): Promise<void> {
    const stdin = this.#child.stdin!;
    if (this.#exited || !stdin.writable) return Promise.reject(new Error('the server process has exited'));
    // Resolved at once unless the pipe is full: then once it drains, so that a slow child slows its callers.
    if (stdin.write(`${JSON.stringify(message)}\n`)) return Promise.resolve();
    return new Promise((resolve) => stdin.once('drain', resolve));
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    this.#child.stdin!.end();
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (await this.#exitedWithin(STOP_STEP_MS)) return;
      this.#child.kill(signal);
    }
  }

  #exitedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms).unref()));
    return Promise.race([this.#exit.then(() => true), timeout]).finally(() => clearTimeout(timer));
  }
}

/** The line as a JSON-RPC message, or undefined when it is not one. */
function parseMessage(line: string): JSONRPCMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const isMessage =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { jsonrpc?: unknown }).jsonrpc === '2.0';
  return isMessage ? (value as JSONRPCMessage) : undefined;
}
