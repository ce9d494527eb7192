/**
 * No cluster and no Docker engine run here, so the Kubernetes manifests (config/kubernetes/) and
 * the compose setup (config/compose/) cannot be applied in CI; instead their promises (port,
 * probe and metrics paths, config path, environment variables, the gateway config itself) are
 * checked against the code they depend on, so that neither drifts alone.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { prepare } from '../../core/cli/prepare.ts';
import { expand } from '../../core/boot/config/interpolate.ts';
import { environmentSettings } from '../../core/boot/config/overrides.ts';
import { systemConfigFile } from '../../core/boot/config/load.ts';
import { kernelConfigSchema } from '../../core/kernel/config/schema.ts';
import { parseDuration } from '../../core/kernel/config/units.ts';
import type { Gateway } from '../../core/engine/gateway.ts';
import { startInProcess } from '../helpers/in-process.ts';
import { repoRoot, tempDir } from '../helpers/processes.ts';
import { nginxBinary } from '../../scripts/nginx.ts';
import { itWith, nginxServer } from '../helpers/debian.ts';

// Manifests are free-form YAML: typed loosely, checked field by field below.
// biome-ignore lint/suspicious/noExplicitAny: free-form YAML, checked field by field below
type Obj = Record<string, any>;

const k8sDir = join(repoRoot, 'config/kubernetes');
const composeDir = join(repoRoot, 'config/compose');
const defaults = kernelConfigSchema.parse({});

/** Every YAML document of a file, failing on any syntax error. */
function documents(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const doc of docs) expect(doc.errors, `${file}: ${doc.errors[0]?.message}`).toEqual([]);
  return docs.map((doc) => doc.toJS() as Obj).filter(Boolean);
}

const kustomization = parse(readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8')) as Obj;
const listed = (kustomization.resources ?? []) as string[];
const applied = listed
  .filter((file) => existsSync(join(k8sDir, file)))
  .flatMap((file) => documents(join(k8sDir, file)));
const secrets = documents(join(k8sDir, 'secret.example.yaml'));
const one = (kind: string): Obj => {
  const found = applied.filter((doc) => doc.kind === kind);
  expect(found, `one ${kind} in the manifests`).toHaveLength(1);
  return found[0]!;
};
const deployment = one('Deployment');
const pod = deployment.spec.template.spec as Obj;
const container = pod.containers[0] as Obj;
const httpPort = (container.ports as Obj[]).find((port) => port.name === 'http');
const configMap = one('ConfigMap');

/** The Deployment's environment as the container sees it: values, and secretKeyRefs read from the example Secrets. */
function deploymentEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env as Obj[]) {
    const ref = entry.valueFrom?.secretKeyRef as Obj | undefined;
    const value = ref ? secrets.find((s) => s.metadata.name === ref.name)?.stringData?.[ref.key] : entry.value;
    if (value !== undefined) env[entry.name] = String(value);
  }
  for (const from of (container.envFrom ?? []) as Obj[]) {
    // An optional Secret may be missing: its keys cannot be counted on.
    if (from.secretRef?.optional) continue;
    Object.assign(env, secrets.find((s) => s.metadata.name === from.secretRef?.name)?.stringData ?? {});
  }
  return env;
}

const compose = parse(readFileSync(join(composeDir, 'compose.yaml'), 'utf8')) as Obj;
const services = compose.services as Record<string, Obj>;
const gatewayNames = Object.keys(services).filter((name) => /^gateway-\d+$/.test(name));
const gateways = gatewayNames.map((name) => services[name]!);
const environmentOf = (service: Obj): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(
        (service.environment as string[]).map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)]),
      )
    : Object.fromEntries(Object.entries((service.environment ?? {}) as Obj).map(([k, v]) => [k, String(v)]));
/** `./x:/target[:ro]` bind mounts of a service, as [host file, target]. */
const mountsOf = (service: Obj) =>
  ((service.volumes ?? []) as string[]).map((v) => v.split(':') as [string, string, ...string[]]);
const nginxConf = readFileSync(join(composeDir, 'nginx.conf'), 'utf8').replace(/#.*$/gm, '');

/** Validate a gateway config the way `mcp-gateway serve` does: file, ${VAR}s, env overrides, schema, plugin plan. */
const scratch: string[] = [];
const scratchDir = () => {
  const dir = tempDir('mcpgw-deploy-');
  scratch.push(dir);
  return dir;
};

async function load(configText: string, env: Record<string, string>) {
  const dir = scratchDir();
  writeFileSync(join(dir, 'config.yaml'), configText);
  return prepare({ config: 'config.yaml' }, env, dir);
}

/** The names of ${VAR}s a config needs (those without a default) that `env` does not provide. */
function unprovided(configText: string, env: Record<string, string>): string[] {
  const missing: string[] = [];
  // Comments may show optional variables (`# auth: ... ${UPSTREAM_TOKEN}`): only values count.
  expand(configText.replace(/#.*$/gm, ''), env, missing);
  return missing;
}

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startInProcess({ proxy: { servers: [] } });
});
afterAll(async () => {
  await gateway?.stop();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('Kubernetes manifests', () => {
  it('kustomization.yaml lists every manifest but the example Secret; each exists, parses, and holds one kind', () => {
    expect(listed.length).toBeGreaterThan(0);
    for (const file of listed) {
      expect(existsSync(join(k8sDir, file)), file).toBe(true);
      const docs = documents(join(k8sDir, file));
      expect(docs.length, file).toBeGreaterThan(0);
      for (const doc of docs) expect(doc.apiVersion && doc.metadata?.name, file).toBeTruthy();
      expect(new Set(docs.map((doc) => doc.kind)).size, `${file}: one kind per file`).toBe(1);
    }
    const manifests = readdirSync(k8sDir).filter(
      (f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && !f.includes('.example.'),
    );
    expect([...listed].sort()).toEqual(manifests.sort());
    expect(applied.map((doc) => doc.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Service',
    ]);
    // Placeholders must never be applied with the rest.
    expect(listed).not.toContain('secret.example.yaml');
    expect(secrets.map((doc) => doc.kind)).toEqual(secrets.map(() => 'Secret'));
    expect(readFileSync(join(k8sDir, 'secret.example.yaml'), 'utf8')).toMatch(/EXAMPLE ONLY/);
  });

  it('the container port is the default server.port, named http; the Service targets it by name, with no affinity', () => {
    expect(httpPort?.containerPort).toBe(defaults.server.port);
    const service = one('Service');
    expect(service.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(service.spec.sessionAffinity ?? 'None').toBe('None');
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: 80, targetPort: 'http' })]);
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
  });

  it('probes and the Prometheus annotations name routes that a real gateway serves, on the http port', async () => {
    const { startupProbe, livenessProbe, readinessProbe } = container;
    expect(startupProbe.httpGet.path).toBe('/live');
    expect(livenessProbe.httpGet.path).toBe('/live');
    expect(readinessProbe.httpGet.path).toBe('/ready');
    for (const probe of [startupProbe, livenessProbe, readinessProbe]) {
      expect(probe.httpGet.port).toBe('http');
      expect((await gateway.app.request(probe.httpGet.path)).status, probe.httpGet.path).toBe(200);
    }
    const annotations = deployment.spec.template.metadata.annotations as Record<string, string>;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(Number(annotations['prometheus.io/port'])).toBe(httpPort?.containerPort);
    const metrics = await gateway.app.request(annotations['prometheus.io/path']!);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE mcp_gateway_');
  });

  it('mounts the ConfigMap config where the gateway looks by default', () => {
    const mount = (container.volumeMounts as Obj[]).find((m) => m.mountPath === systemConfigFile);
    expect(mount, `a volumeMount at ${systemConfigFile}`).toBeDefined();
    const volume = (pod.volumes as Obj[]).find((v) => v.name === mount!.name);
    expect(volume?.configMap?.name).toBe(configMap.metadata.name);
    expect(Object.keys(configMap.data)).toContain(mount!.subPath);
  });

  it("runs as the image's non-root user, with a read-only root filesystem and a writable /tmp", () => {
    const dockerUser = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')
      .match(/^USER (\S+)/gm)
      ?.at(-1);
    expect(dockerUser).toBe('USER node'); // uid 1000 in the official node images
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    const tmp = (container.volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp');
    expect((pod.volumes as Obj[]).find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
  });

  it('gets REDIS_URL from the Secret mcp-gateway-secrets, and references only Secrets and keys the example shows', () => {
    const redis = (container.env as Obj[]).find((e) => e.name === 'REDIS_URL');
    expect(redis?.valueFrom?.secretKeyRef).toMatchObject({ name: 'mcp-gateway-secrets', key: 'redis-url' });
    for (const entry of container.env as Obj[]) {
      const ref = entry.valueFrom?.secretKeyRef as Obj | undefined;
      if (ref)
        expect(secrets.find((s) => s.metadata.name === ref.name)?.stringData, entry.name).toHaveProperty([ref.key]);
    }
    const envFrom = container.envFrom as Obj[];
    expect(envFrom.length).toBeGreaterThan(0);
    for (const from of envFrom) expect(secrets.map((s) => s.metadata.name)).toContain(from.secretRef.name);
  });

  it("provides every ${VAR} of the ConfigMap's config, and that config passes the real loader", async () => {
    const text = configMap.data['config.yaml'] as string;
    const env = deploymentEnv();
    expect(text).toContain('${UPSTREAM_URL}');
    expect(unprovided(text, env)).toEqual([]);
    const { config, plan } = await load(text, env);
    // The environment overrides apply: the pod listens on all interfaces, on the container port.
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: httpPort?.containerPort });
    expect(config.logging.format).toBe('json');
    expect(plan.servers).toEqual([
      expect.objectContaining({
        type: 'streamable-http',
        settings: expect.objectContaining({ connection: expect.objectContaining({ url: env.UPSTREAM_URL }) }),
      }),
    ]);
    const plugin = (name: string) => plan.plugins.find((p) => p.definition.name === name)?.options as Obj | undefined;
    expect(plugin('rate-limit')).toMatchObject({ store: 'redis', redis: { url: env.REDIS_URL } });
    // The Service has no session affinity: without shared sessions a client's next request would meet a replica that does not know it.
    expect(plugin('shared-sessions')).toMatchObject({ redis: { url: env.REDIS_URL } });
    // Scraped on the gateway's port at the annotated path: no metrics.port moving it elsewhere.
    expect(plugin('metrics')).toMatchObject({
      path: deployment.spec.template.metadata.annotations['prometheus.io/path'],
    });
    expect(plugin('metrics')?.port).toBeUndefined();
  });

  it('gives a stopping pod its preStop pause, the whole shutdown.timeout (milliseconds) and 10 s more before SIGKILL', async () => {
    expect(defaults.shutdown.timeout).toBe(parseDuration('10s'));
    const { config } = await load(configMap.data['config.yaml'] as string, deploymentEnv());
    const preStop = container.lifecycle?.preStop?.exec?.command as string[] | undefined;
    const pauseMs = preStop?.[0] === 'sleep' ? Number(preStop[1]) * 1000 : 0;
    const graceMs = pod.terminationGracePeriodSeconds * 1000;
    expect(graceMs).toBeGreaterThan(defaults.shutdown.timeout);
    expect(graceMs).toBeGreaterThanOrEqual(pauseMs + config.shutdown.timeout + 10_000);
  });

  it('replicas, autoscaler and disruption budget agree', () => {
    const replicas = deployment.spec.replicas as number;
    const hpa = one('HorizontalPodAutoscaler');
    const pdb = one('PodDisruptionBudget');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(replicas);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(replicas);
    // CPU utilization is a share of the request: without one the HPA cannot compute it.
    expect(hpa.spec.metrics).toContainEqual(
      expect.objectContaining({ resource: expect.objectContaining({ name: 'cpu' }) }),
    );
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.minAvailable).toBeLessThan(replicas);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    const spread = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
    expect(spread).toMatchObject({ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } });
  });
});

describe('Compose', () => {
  it('runs three gateway replicas built from the repository Dockerfile; only nginx publishes a port', () => {
    expect(gatewayNames).toHaveLength(3);
    for (const service of gateways) {
      expect(resolve(composeDir, service.build)).toBe(resolve(repoRoot));
      expect(service.ports).toBeUndefined();
    }
    expect(existsSync(join(repoRoot, 'Dockerfile'))).toBe(true);
    expect(services.nginx?.ports).toHaveLength(1);
  });

  it('gateways start after a healthy Redis, health-checked with redis-cli ping', () => {
    expect(services.redis?.image).toMatch(/^redis:7/);
    expect(services.redis?.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    for (const service of gateways) {
      expect(service.depends_on.redis).toEqual({ condition: 'service_healthy' });
      expect(environmentOf(service).REDIS_URL).toBe('redis://redis:6379');
    }
  });

  it('gateways mount their config at the default path and health-check /live on the default port', () => {
    for (const service of gateways) {
      const mount = mountsOf(service).find(([, target]) => target === systemConfigFile);
      expect(mount, `a bind mount at ${systemConfigFile}`).toBeDefined();
      expect(existsSync(join(composeDir, mount![0]))).toBe(true);
      expect(service.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${defaults.server.port}/live'`);
    }
  });

  it('gives a stopping gateway its whole shutdown.timeout before SIGKILL', () => {
    for (const service of gateways)
      expect(parseDuration(service.stop_grace_period)).toBeGreaterThan(defaults.shutdown.timeout);
  });

  it("provides every ${VAR} of the gateways' config, which passes the real loader", async () => {
    const [file] = mountsOf(gateways[0]!).find(([, target]) => target === systemConfigFile)!;
    const text = readFileSync(join(composeDir, file), 'utf8');
    for (const service of gateways) expect(unprovided(text, environmentOf(service))).toEqual([]);
    const env = environmentOf(gateways[0]!);
    const { config, plan } = await load(text, { ...env, MCP_GATEWAY_HOST: '0.0.0.0' /* the image's ENV */ });
    expect(config.server.port).toBe(defaults.server.port);
    const plugin = (name: string) => plan.plugins.find((p) => p.definition.name === name)?.options;
    expect(plugin('rate-limit')).toMatchObject({ store: 'redis', redis: { url: env.REDIS_URL } });
    // nginx balances round robin without stickiness: every replica must know every session.
    expect(plugin('shared-sessions')).toMatchObject({ redis: { url: env.REDIS_URL } });
    // The upstream URL names the upstream service, on the port it is told to listen on.
    const url = new URL(env.UPSTREAM_URL!);
    expect(services[url.hostname], `a service named ${url.hostname}`).toBeDefined();
    expect(url.port).toBe(environmentOf(services[url.hostname]!).PORT);
    expect(plan.servers.map((s) => s.type)).toEqual(['streamable-http']);
  });

  it('the upstream runs the launcher the image ships', () => {
    const entrypoint = services.upstream?.entrypoint as string[];
    expect(entrypoint.slice(-1)).toEqual(['streamableHttp']);
    expect(existsSync(join(repoRoot, entrypoint[1]!))).toBe(true);
  });

  it('nginx balances over exactly the gateways, round robin, and passes streams through unbuffered', () => {
    expect(mountsOf(services.nginx!)).toContainEqual(['./nginx.conf', '/etc/nginx/nginx.conf', 'ro']);
    for (const name of gatewayNames) expect(services.nginx!.depends_on[name]).toEqual({ condition: 'service_healthy' });
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(nginxConf);
    expect(upstream).not.toBeNull();
    const servers = [...upstream![2]!.matchAll(/^\s*server\s+([^;\s]+)/gm)].map((m) => m[1]);
    expect(servers.sort()).toEqual(gatewayNames.map((name) => `${name}:${defaults.server.port}`).sort());
    expect(nginxConf).not.toMatch(/\b(ip_hash|hash|sticky)\b/);
    expect(nginxConf).toContain(`proxy_pass http://${upstream![1]};`);
    const directive = (name: string) => new RegExp(`^\\s*${name}\\s+([^;]+);`, 'm').exec(nginxConf)?.[1];
    expect(directive('proxy_buffering')).toBe('off');
    expect(directive('proxy_http_version')).toBe('1.1');
    expect(nginxConf).toMatch(/proxy_set_header\s+Connection\s+""\s*;/);
    const readTimeout = directive('proxy_read_timeout') ?? '60s';
    expect(parseDuration(/^\d+$/.test(readTimeout) ? `${readTimeout}s` : readTimeout)).toBeGreaterThanOrEqual(
      3_600_000,
    );
    for (const header of ['Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID']) {
      expect(nginxConf).toContain(`proxy_set_header ${header} $http_${header.toLowerCase().replaceAll('-', '_')};`);
    }
    // nginx's own body limit (1m by default) must not undercut the gateway's server.max_body_size.
    const body = /^(\d+)([kmg]?)$/i.exec(directive('client_max_body_size') ?? '1m')!;
    const bytes = Number(body[1]) * 1024 ** ' kmg'.indexOf((body[2] || ' ').toLowerCase());
    expect(bytes).toBeGreaterThanOrEqual(defaults.server.max_body_size);
  });

  itWith('nginx -t', nginxServer)(
    'nginx -t accepts nginx.conf (gateway host names replaced, as no DNS serves them here)',
    () => {
      const dir = scratchDir();
      const conf = join(dir, 'nginx.conf');
      writeFileSync(conf, readFileSync(join(composeDir, 'nginx.conf'), 'utf8').replace(/gateway-\d+:/g, '127.0.0.1:'));
      // nginx opens /dev/stdout and /dev/stderr by name, which fails on the sockets spawn gives: use a file.
      const output = join(dir, 'output');
      const fd = openSync(output, 'w');
      try {
        spawnSync(nginxBinary, ['-t', '-e', 'stderr', '-p', dir, '-c', conf, '-g', `pid ${dir}/nginx.pid;`], {
          stdio: ['ignore', fd, fd],
        });
      } finally {
        closeSync(fd);
      }
      expect(readFileSync(output, 'utf8')).toContain('test is successful');
    },
  );
});

describe('MCP_GATEWAY_* variables in the deployment files', () => {
  it('are all ones the gateway reads', () => {
    const known = new Set(Object.keys(environmentSettings));
    const files = [
      ...readdirSync(k8sDir).map((f) => join(k8sDir, f)),
      ...readdirSync(composeDir).map((f) => join(composeDir, f)),
    ].filter((file) => /\.(ya?ml|conf)$/.test(file));
    const used = new Set(files.flatMap((file) => readFileSync(file, 'utf8').match(/MCP_GATEWAY_[A-Z_]+/g) ?? []));
    expect(used).toContain('MCP_GATEWAY_HOST');
    expect(used).toContain('MCP_GATEWAY_LOG_FORMAT');
    for (const name of used) expect(known, name).toContain(name);
  });
});
