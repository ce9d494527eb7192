/** The gateway's own name and version, from its package.json. */
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const gatewayName = manifest.name;
export const gatewayVersion = manifest.version;
