/**
 * The stdout destination that writes once per turn of the event loop: nothing is held back past
 * the turn, and nothing is lost when the process exits right after logging.
 */
import { execFile } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { stdoutPerTurn } from '../../core/engine/log-destination.ts';
import { repoRoot, tempDir, tsxCli } from '../helpers/processes.ts';

const run = promisify(execFile);

it('writes the lines of a turn together, as soon as the turn ends', async () => {
  const file = join(tempDir(), 'out.log');
  const destination = stdoutPerTurn(openSync(file, 'w'));
  destination.write('{"n":1}\n');
  destination.write('{"n":2}\n');
  expect(readFileSync(file, 'utf8')).toBe(''); // still this turn
  await expect.poll(() => readFileSync(file, 'utf8'), { timeout: 1000 }).toBe('{"n":1}\n{"n":2}\n');
});

it('loses no line when the process exits in the turn it logged them', async () => {
  const script = join(tempDir(), 'exit-now.ts');
  writeFileSync(
    script,
    [
      `import { createLogger } from ${JSON.stringify(join(repoRoot, 'core/engine/logger.ts'))};`,
      `const logger = createLogger({ level: 'info', format: 'json' });`,
      // More than a pipe holds (64 KiB), so that the exit has to wait for the reader.
      `for (let i = 1; i <= 2000; i++) logger.info({ i }, 'line');`,
      `logger.fatal('last words');`,
      `process.exit(3);`,
    ].join('\n'),
  );
  const exited = (await run(process.execPath, [tsxCli, script]).then(
    () => ({ code: 0, stdout: '' }),
    (error: { code?: number; stdout: string }) => error,
  )) as { code?: number; stdout: string };
  expect(exited.code).toBe(3);
  const { stdout } = exited;
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string; i?: number });
  expect(lines).toHaveLength(2001);
  expect(lines.at(-2)).toMatchObject({ i: 2000 });
  expect(lines.at(-1)).toMatchObject({ msg: 'last words', level: 60 });
});
