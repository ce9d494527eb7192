/**
 * An example third-party auth provider: API keys. A caller presents `x-api-key: <key>` (or
 * `Authorization: Bearer <key>`, for clients that can only send a bearer token); the plugin knows
 * only the keys' SHA-256 digests, so the config holds no secret, and compares them in constant
 * time. Each key names a subject and its scopes, which the permissions plugin (or any other) then
 * uses, exactly as with OAuth tokens.
 *
 * It is not an OAuth resource server, so it answers `WWW-Authenticate: ApiKey ...` and serves no
 * protected resource metadata: a Bearer challenge would send MCP clients into an OAuth flow that
 * cannot succeed, instead of telling the user that a key is missing.
 *
 *   npx mcp-gateway --plugins ./config/examples/plugins/api-key-auth.ts
 *
 * with, in the config:
 *
 *   api_keys:
 *     keys:
 *       - subject: ci-bot
 *         sha256: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8   # echo -n "$KEY" | sha256sum
 *         scopes: [scope:dev]
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { definePlugin, z } from 'mcp-gateway';
import { AuthFailure, bearerToken, credentialAuth } from 'mcp-gateway/auth';

const digest = (text: string) => createHash('sha256').update(text).digest();

export default definePlugin({
  name: 'api-key-auth',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: 'api_keys',
  configSchema: z.strictObject({
    keys: z
      .array(
        z.strictObject({
          subject: z.string().min(1),
          sha256: z.string().regex(/^[0-9a-f]{64}$/, 'the hex SHA-256 of the key'),
          scopes: z.array(z.string()).default([]),
        }),
      )
      .min(1),
    /** The header that carries the key (besides Authorization: Bearer). */
    header: z.string().toLowerCase().default('x-api-key'),
  }),
  setup({ options, logger }) {
    const keys = options.keys.map((key) => ({ ...key, digest: Buffer.from(key.sha256, 'hex') }));
    logger.info({ keys: keys.length }, 'API keys loaded');
    return {
      onRequest: credentialAuth({
        logger,
        challenge: { scheme: 'ApiKey', params: { realm: 'mcp-gateway', header: options.header } },
        missing: `this endpoint needs an API key (${options.header}: <key>)`,
        credential: (c) => c.req.header(options.header) ?? bearerToken(c.req.header('authorization')),
        async authenticate(key) {
          const candidate = digest(key);
          // Every key is compared, each in constant time (digests of equal length), so the time
          // taken says nothing about whether or which key matched.
          const match = keys.filter((known) => timingSafeEqual(known.digest, candidate))[0];
          if (!match) throw new AuthFailure('invalid_credential', 'this API key is not valid');
          return { subject: match.subject, scopes: match.scopes, claims: {}, provider: 'api-key-auth' };
        },
      }),
    };
  },
});
