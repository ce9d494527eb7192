/**
 * vitest global setup: the run's temporary files (the tests' folders, the packed tarball, what the
 * processes they start write) go in one folder of their own, removed when the run ends. Before,
 * each run left ~250 folders and ~100 MB in the system's temp folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function tempFolder(): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'mcpgw-test-run-'));
  // Read by os.tmpdir() in this process, and inherited by the test workers and what they start.
  process.env.TMPDIR = folder;
  return () => rmSync(folder, { recursive: true, force: true });
}
