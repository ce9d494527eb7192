/** A real OAuth 2 / OIDC authorization server for the tests (oauth2-mock-server), issuing real signed JWTs. */
import { OAuth2Server } from 'oauth2-mock-server';

export interface Idp {
  readonly server: OAuth2Server;
  readonly issuer: string;
  /** A signed access token; `claims` are merged into the default payload (iss, iat, exp, ...). */
  token(claims?: Record<string, unknown>, options?: { expiresIn?: number; kid?: string }): Promise<string>;
  stop(): Promise<void>;
}

export async function startIdp(port = 0): Promise<Idp> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(port, '127.0.0.1');
  const issuer = server.issuer.url!;
  return {
    server,
    issuer,
    token: (claims = {}, options = {}) =>
      server.issuer.buildToken({
        kid: options.kid,
        expiresIn: options.expiresIn,
        scopesOrTransform: (_header, payload) => Object.assign(payload, claims),
      }),
    stop: () => server.stop(),
  };
}
