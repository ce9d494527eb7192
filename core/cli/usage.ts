import { environmentSettings } from '../boot/config/overrides.ts';
import { gatewayVersion } from '../engine/version.ts';

export const usage = `mcp-gateway ${gatewayVersion}: one endpoint, one login and one policy for many MCP servers

Usage:
  mcp-gateway [serve] [options]       start the gateway (the default command)
  mcp-gateway validate [options]      check the configuration and print the plan; exit code 0 when valid
  mcp-gateway --help | --version

Options:
  -c, --config FILE        configuration file (default: searched, then /etc/mcp-gateway/config.yaml,
                           then the embedded config/default.yaml)
  -p, --plugins LIST       more plugins to load after the configured ones: paths or package names,
                           comma-separated or repeated (--plugins ./a.ts,./b.js)
      --port N             listen on this port (server.port, default 8082)
      --host H             listen on this address (server.host, default 127.0.0.1)
      --log-level LEVEL    trace | debug | info | warn | error | fatal | silent (logging.level)
      --log-format FORMAT  json | text (logging.format)
      --watch              reload the configuration when its file changes, as on SIGHUP
  -h, --help               show this help
  -v, --version            print the version

Flags override environment variables, which override the file:
${Object.entries(environmentSettings)
  .map(([name, what]) => `  ${name.padEnd(24)} ${what}`)
  .join('\n')}

Documentation: README.md (operators) and plugins/README.md (plugin authors).
`;
