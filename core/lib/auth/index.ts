/**
 * `mcp-gateway/auth`: for authentication plugins. `credentialAuth` turns a function that checks a
 * request's credential into an `onRequest` hook with the challenge the plugin chooses;
 * `bearerAuth` is the same for OAuth 2 resource servers (Bearer tokens, protected-resource
 * metadata); with a JWT verifier (JWKS, audience, issuer), the mapping of claims to a `Principal`,
 * and the failure an auth check throws.
 */
export { AuthFailure } from './failure.ts';
export { bearerToken } from './bearer.ts';
export { bearerAuth, type BearerAuthOptions } from './bearer-auth.ts';
export { credentialAuth, type CredentialAuthOptions } from './credential-auth.ts';
export { insufficientScopeResponse, unauthorizedResponse, type Challenge } from './challenges.ts';
export {
  createJwtVerifier,
  defaultAlgorithms,
  type JwtVerifier,
  type JwtVerifierOptions,
} from './jwt-verifier.ts';
export { principalFromClaims, type PrincipalOptions } from './principal.ts';
export {
  METADATA_PATH,
  resourceMetadataOf,
  serveProtectedResourceMetadata,
  type ProtectedResourceOptions,
} from './protected-resource.ts';
