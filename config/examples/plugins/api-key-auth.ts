/**
 * An example third-party auth provider: API keys. A caller presents `Authorization: Bearer <key>`
 * (or `x-api-key: <key>`); the plugin knows only the keys' SHA-256 digests, so the config holds no
 * secret, and compares them in constant time. Each key names a subject and its scopes, which the
 * permissions plugin (or any other) then uses, exactly as with OAuth tokens.
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
import { AuthFailure, bearerAuth, bearerToken, definePlugin, z, type Principal } from 'mcp-gateway';

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
    /** Also accept the key in this header (besides Authorization: Bearer). */
    header: z.string().default('x-api-key'),
  }),
  setup({ options, logger, gateway }) {
    const keys = options.keys.map((key) => ({ ...key, digest: Buffer.from(key.sha256, 'hex') }));
    logger.info({ keys: keys.length }, 'API keys loaded');
    return {
      onRequest: bearerAuth({
        logger,
        resourceMetadata: () => gateway.urls.resourceMetadata,
        credential: (c) => bearerToken(c.req.header('authorization')) ?? c.req.header(options.header),
        async authenticate(key) {
          const candidate = digest(key);
          // Compare against every key, in constant time each, so timing says nothing about which matched.
          const match = keys.filter((key) => timingSafeEqual(key.digest, candidate))[0];
          if (!match) throw new AuthFailure('malformed', 'this API key is not valid');
          const principal: Principal = { subject: match.subject, scopes: match.scopes, claims: {}, provider: 'api-key-auth' };
          return principal;
        },
      }),
    };
  },
});
