/** `mcp-gateway validate`: check the configuration end to end (without starting anything) and print the plan. */
import { relative } from 'node:path';
import type { ConfigOrigin } from '../boot/config/load.ts';
import { formatDuration } from '../kernel/config/units.ts';
import type { Prepared } from './prepare.ts';

const origins: Record<ConfigOrigin, string> = {
  flag: 'from --config',
  environment: 'from MCP_GATEWAY_CONFIG',
  search: 'found in the working directory',
  system: 'the system configuration',
  embedded: 'the embedded default',
};

/** Names outside this alphabet are rejected by some clients and LLM APIs. */
const clientSafe = /^[A-Za-z0-9_-]*$/;

export function describePlan(prepared: Prepared, cwd: string): string {
  const { location, config, plan } = prepared;
  const show = (file: string) => (file.startsWith(cwd) ? `./${relative(cwd, file)}` : file);
  const lines = [`config: ${show(location.file)} (${origins[location.origin]})`, 'plugins, in load order:'];
  plan.plugins.forEach((p, i) => {
    const transport = p.definition.transport ? `, transport "${p.definition.transport.type}"` : '';
    const where = p.origin === 'builtin' ? 'built-in' : show(p.file);
    lines.push(`  ${i + 1}. ${p.definition.name} ${p.definition.version} (${where}, ${p.from}${transport})`);
  });
  lines.push(plan.servers.length ? 'upstream servers:' : 'upstream servers: none');
  for (const s of plan.servers) {
    const naming = s.prefix === '' ? 'names unchanged' : `names "${s.prefix}${config.proxy.separator}<name>"`;
    lines.push(
      `  - ${s.name} (${s.type}${s.required ? ', required' : ''}): ${naming}, timeout ${formatDuration(s.policy.timeoutMs)}, ${s.policy.sessions} upstream sessions`,
    );
  }
  lines.push(`listen: http://${config.server.host}:${config.server.port}/mcp`);
  if (!clientSafe.test(config.proxy.separator)) {
    lines.push(
      `warning: separator "${config.proxy.separator}" is outside [A-Za-z0-9_-]; some clients and LLM APIs reject such tool names`,
    );
  }
  return lines.join('\n');
}
