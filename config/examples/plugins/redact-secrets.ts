/**
 * An example third-party plugin: masks secrets that upstream tools put in their results (API
 * keys, tokens, private keys) before they reach the client, and so the model. It lives outside
 * the built-ins and loads like any plugin of yours:
 *
 *   npx mcp-gateway --plugins ./config/examples/plugins/redact-secrets.ts
 *
 * or, with options, in the config:
 *
 *   plugins:
 *     - use: ./plugins/redact-secrets.ts
 *       options:
 *         patterns: ["ACME-[0-9]{8}"]
 *         replacement: "[hidden]"
 */
import { type CallToolResult, definePlugin, z } from 'mcp-gateway';

/** Well-known shapes of credentials. */
const defaultPatterns = [
  'AKIA[0-9A-Z]{16}', // AWS access key id
  'gh[pousr]_[A-Za-z0-9]{36,}', // GitHub token
  'sk-[A-Za-z0-9_-]{20,}', // OpenAI-style secret key
  'xox[abpr]-[A-Za-z0-9-]{10,}', // Slack token
  '-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----',
];

export default definePlugin({
  name: 'redact-secrets',
  version: '1.0.0',
  kernel: '^1.0.0',
  configSchema: z.strictObject({
    /** Regular expressions of secrets to mask, in addition to the well-known ones. */
    patterns: z.array(z.string()).default([]),
    replacement: z.string().default('[redacted]'),
  }),
  setup({ options, logger }) {
    const pattern = new RegExp([...defaultPatterns, ...options.patterns].map((p) => `(?:${p})`).join('|'), 'g');
    const redact = (text: string) => text.replace(pattern, options.replacement);
    const redactDeep = (value: unknown): unknown =>
      typeof value === 'string'
        ? redact(value)
        : Array.isArray(value)
          ? value.map(redactDeep)
          : value && typeof value === 'object'
            ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]))
            : value;

    return {
      // Runs after the upstream answered: the result is rewritten on its way back.
      async onCallTool(call, next) {
        const result = await next();
        let count = 0;
        const content = result.content.map((block) => {
          if (block.type !== 'text') return block;
          const text = redact(block.text);
          if (text !== block.text) count++;
          return { ...block, text };
        });
        const structured =
          result.structuredContent && (redactDeep(result.structuredContent) as Record<string, unknown>);
        const structuredChanged = JSON.stringify(structured) !== JSON.stringify(result.structuredContent);
        if (count === 0 && !structuredChanged) return result;
        logger.info(
          { server: call.server, tool: call.tool, blocks: count, structured: structuredChanged },
          'redacted secrets from a tool result',
        );
        return { ...result, content, ...(structured && { structuredContent: structured }) } satisfies CallToolResult;
      },
    };
  },
});
