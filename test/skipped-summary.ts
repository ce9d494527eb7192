/**
 * vitest global setup: at the end of the run, one summary of the tests skipped for want of a
 * program from Debian's packages (see helpers/debian.ts), so that a green run on a machine without
 * them says what it did not check. Runs after temp-folder.ts, whose folder holds the list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { skippedList } from './helpers/debian.ts';

export default function skippedSummary(): () => void {
  return () => {
    const list = skippedList();
    if (!existsSync(list)) return;
    const lines = [...new Set(readFileSync(list, 'utf8').split('\n').filter(Boolean))].sort();
    process.stdout.write(
      `\nSkipped for want of a Debian package (CI runs them all):\n${lines.map((line) => `  ${line}\n`).join('')}\n`,
    );
  };
}
