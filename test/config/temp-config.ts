/** Temporary configuration files for the config tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '../../core/boot/config/load.ts';
import { tempDir } from '../helpers/processes.ts';

/** Write YAML text to `name` in a fresh temp folder (or `dir`) and return the file's path. */
export function writeYaml(text: string, name = 'mcp-gateway.yaml', dir = tempDir()): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Load YAML text the way the gateway does, with exactly the environment given. */
export function loadYaml(text: string, env: Record<string, string> = {}): Promise<LoadedConfig> {
  return loadConfig({ file: writeYaml(text), origin: 'flag' }, env);
}
