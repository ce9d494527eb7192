/**
 * A real nginx (Debian's package; .ci/run installs it) balancing round robin over local gateway
 * ports, with no stickiness and event streams unbuffered: the load balancer of the replica tests
 * and of the replica benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './stop-child.ts';

export const nginxBinary = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

export interface Nginx {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** nginx on 127.0.0.1:`port` in front of the gateways on `backends` (ports on 127.0.0.1). */
export async function startNginx(backends: readonly number[], port: number): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-nginx-'));
  for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp));
  const config = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream gateways {
    ${backends.map((backend) => `server 127.0.0.1:${backend} max_fails=1 fail_timeout=30s;`).join('\n    ')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # Event streams (answers, the GET stream) go out as they are written.
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), config);
  const child = spawn(nginxBinary, ['-c', join(dir, 'nginx.conf'), '-p', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let failure: Error | undefined;
  child.once('error', (error) => (failure = error));
  for (let attempt = 0; ; attempt++) {
    const up = await fetch(`http://127.0.0.1:${port}/live`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (up) break;
    if (failure || child.exitCode !== null || attempt > 100) {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start${failure ? `: ${failure.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: () => stopChild(child).finally(() => rmSync(dir, { recursive: true, force: true })),
  };
}
