/**
 * JSON lines appended to a file, created (with its folder) if missing. Each batch is one append.
 * Rotation needs no signal: before each batch the sink checks that the path still names the file
 * it has open, and opens a new one when the file was moved away or deleted (logrotate's default
 * `create` mode), like `tail -F`.
 */
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'mcp-gateway';
import { serialize } from '../record.ts';
import type { AuditSink } from './sink.ts';

interface OpenFile {
  readonly handle: FileHandle;
  readonly dev: number;
  readonly ino: number;
}

async function openFile(path: string): Promise<OpenFile> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'a', 0o640);
  const { dev, ino } = await handle.stat();
  return { handle, dev, ino };
}

/** Opens the file now, so that a path the gateway cannot write is a boot error, not a lost trail. */
export async function fileSink(path: string, logger: Logger): Promise<AuditSink> {
  let file = await openFile(path);

  async function current(): Promise<OpenFile> {
    const now = await stat(path).catch(() => undefined);
    if (now && now.dev === file.dev && now.ino === file.ino) return file;
    const previous = file;
    file = await openFile(path);
    await previous.handle.close().catch(() => {});
    logger.info({ path }, 'audit file was moved or deleted; writing to a new one');
    return file;
  }

  return {
    description: { sink: 'file', path },
    batchSize: 256,
    flushInterval: 0,
    async write(records) {
      const { handle } = await current();
      await handle.appendFile(records.map((record) => `${serialize(record)}\n`).join(''));
    },
    async close() {
      await file.handle.close();
    },
  };
}
