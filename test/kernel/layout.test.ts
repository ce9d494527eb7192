/**
 * The architecture as the folders show it (core/README.md, "Layout"), held against the imports:
 * the kernel (the plugin contract) stands alone, the library, the boot and the runner (which sets
 * plugins up and runs their hooks) build on the kernel only, the engine on those, and nothing in core/ knows a plugin; plugins reach core/ only through the package's
 * entry points, and no plugin imports another. The entry points themselves (package.json, the
 * TypeScript paths) agree, and each exports what it is documented to.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/processes.ts';

function sources(folder: string): string[] {
  return readdirSync(join(repoRoot, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|js)$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)))
    .filter((file) => !file.split('/').includes('node_modules'));
}

/** The module specifiers a file imports (static, dynamic and re-exports), relative ones resolved to repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)'([^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) =>
    specifier.startsWith('.') ? relative(repoRoot, resolve(repoRoot, file, '..', specifier)) : specifier,
  );
}

/** Every import of the files under `from` that lands in one of `folders`. */
function importsInto(from: string, folders: readonly string[]): string[] {
  return sources(from).flatMap((file) =>
    importsOf(file)
      .filter((target) => folders.some((folder) => target.startsWith(folder)))
      .map((target) => `${file} -> ${target}`),
  );
}

describe('core/', () => {
  it('the kernel imports nothing of the library, the engine, the testing harness or the command', () => {
    expect(
      importsInto('core/kernel', [
        'core/boot/',
        'core/lib/',
        'core/runner/',
        'core/engine/',
        'core/testing/',
        'core/cli/',
      ]),
    ).toEqual([]);
  });

  it('the library imports the kernel only', () => {
    expect(
      importsInto('core/lib', ['core/boot/', 'core/runner/', 'core/engine/', 'core/testing/', 'core/cli/']),
    ).toEqual([]);
  });

  it('the boot (configuration loading, the plugin loader) imports the kernel only', () => {
    expect(
      importsInto('core/boot', ['core/lib/', 'core/runner/', 'core/engine/', 'core/testing/', 'core/cli/']),
    ).toEqual([]);
  });

  it('the runner (plugin setup, hook chains) imports the kernel only', () => {
    expect(
      importsInto('core/runner', ['core/boot/', 'core/lib/', 'core/engine/', 'core/testing/', 'core/cli/']),
    ).toEqual([]);
  });

  it('the engine imports neither the testing harness nor the command', () => {
    expect(importsInto('core/engine', ['core/testing/', 'core/cli/'])).toEqual([]);
  });

  it('knows no plugin', () => {
    expect(importsInto('core', ['plugins/'])).toEqual([]);
  });
});

describe('plugins/', () => {
  it('reach core/ only through the package entry points', () => {
    expect(importsInto('plugins', ['core/'])).toEqual([]);
  });

  it('import no other plugin', () => {
    const crossing = sources('plugins').flatMap((file) => {
      const own = file.split('/').slice(0, 2).join('/');
      return importsOf(file)
        .filter((target) => target.startsWith('plugins/') && !target.startsWith(`${own}/`))
        .filter(() => file !== 'plugins/index.ts')
        .map((target) => `${file} -> ${target}`);
    });
    expect(crossing).toEqual([]);
  });
});

describe('entry points', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types: string; default: string }>;
  };
  const entries = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
    typeof target === 'string' ? [] : [{ name: `mcp-gateway${subpath.slice(1)}`, ...target }],
  );
  const tsconfig = readFileSync(join(repoRoot, 'tsconfig.json'), 'utf8');

  it('name the build, the TypeScript paths name its sources', () => {
    for (const entry of entries) {
      const source = entry.default.replace(/^\.\/dist\//, './').replace(/\.js$/, '.ts');
      expect(entry.types).toBe(entry.default.replace(/\.js$/, '.d.ts'));
      expect(tsconfig).toContain(`"${entry.name}": ["${source}"]`);
    }
  });

  it('each export what they are documented to, and the root no internals', async () => {
    const exported: Record<string, string[]> = {};
    for (const entry of entries) {
      const source = entry.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
      exported[entry.name] = Object.keys(await import(join(repoRoot, source))).sort();
    }
    expect(exported).toEqual({
      'mcp-gateway': [
        'ErrorCodes',
        'GatewayError',
        'KERNEL_API_VERSION',
        'LATEST_PROTOCOL_VERSION',
        'LogThrottle',
        'RpcCodes',
        'RpcError',
        'definePlugin',
        'duration',
        'formatDuration',
        'hookKinds',
        'isErrorResponse',
        'isNotification',
        'isRequest',
        'isResponse',
        'size',
        'z',
      ],
      'mcp-gateway/http': [
        'HttpClient',
        'UpstreamCredentials',
        'decodeHeaderValue',
        'defaultAllowedOrigins',
        'encodeHeaderValue',
        'httpServerSettings',
        'mirroredArguments',
        'modernRequestHeaders',
        'namedParam',
        'originMatcher',
        'paramHeaders',
        'readBody',
        'readEventStream',
        'rpcErrorResponse',
        'upstreamAuthSchema',
      ],
      'mcp-gateway/auth': [
        'AuthFailure',
        'METADATA_PATH',
        'bearerAuth',
        'bearerToken',
        'createJwtVerifier',
        'credentialAuth',
        'defaultAlgorithms',
        'insufficientScopeResponse',
        'principalFromClaims',
        'resourceMetadataOf',
        'serveProtectedResourceMetadata',
        'unauthorizedResponse',
      ],
      'mcp-gateway/redis': [
        'checkStoreChoice',
        'connectRedis',
        'redisConnectionSchema',
        'storeChanged',
        'storeChoiceShape',
      ],
      'mcp-gateway/patterns': [
        'compileGlob',
        'serverPatternProblem',
        'serverToolMatcher',
        'serverToolPatterns',
        'splitServerPattern',
      ],
      'mcp-gateway/message-channel': ['MessageChannel'],
      'mcp-gateway/testing': ['startTestGateway'],
    });
  });
});
