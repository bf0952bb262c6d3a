// The nginx setup of docs/OPERATIONS.md, run for real in front of the relay: the admin API, the
// admin page and /metrics must stay behind their IP rules whatever case, slash or encoding a path
// is written in; and the two-relay setup's upstream must send every request to the relay still
// up. The blocks are taken from the document itself, so the test checks what operators copy.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ADMIN_TOKEN, RelayProcess } from './helpers/relay-process.ts';

const NGINX = '/usr/sbin/nginx';

/** The first `server { … }` of the document's nginx example, pointed at the test's ports, without TLS. */
function documentedServer(nginxPort: number, relayUrl: string): string {
  const doc = readFileSync('docs/OPERATIONS.md', 'utf8');
  const block = /```nginx\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/OPERATIONS.md has no nginx example');
  const server = /^server \{[\s\S]*?^\}/m.exec(block)?.[0];
  if (!server) throw new Error('the nginx example has no server block');
  return server
    .replace(/^\s*listen [^;]*;/m, `    listen 127.0.0.1:${nginxPort};`)
    .replace(/^\s*ssl_[^;]*;\n/gm, '')
    .replaceAll('http://127.0.0.1:8080', relayUrl);
}

/**
 * The two-relay example of docs/OPERATIONS.md (its nginx block with an upstream): the upstream and
 * its first server block, the relays' private addresses replaced by the test's, without TLS.
 */
function documentedUpstream(nginxPort: number, relays: [string, string]): string {
  const doc = readFileSync('docs/OPERATIONS.md', 'utf8');
  const block = [...doc.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => /^upstream /m.test(b));
  if (!block) throw new Error('docs/OPERATIONS.md has no nginx example with an upstream');
  const upstream = /^upstream [\s\S]*?^\}/m.exec(block)?.[0];
  const server = /^server \{[\s\S]*?^\}/m.exec(block)?.[0];
  if (!upstream || !server) throw new Error('the two-relay nginx example has no upstream or no server block');
  return [
    upstream.replace('10.0.0.11:8080', relays[0]).replace('10.0.0.12:8080', relays[1]),
    server.replace(/^\s*listen [^;]*;/m, `    listen 127.0.0.1:${nginxPort};`).replace(/^\s*ssl_[^;]*;\n/gm, ''),
  ].join('\n');
}

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  }).on('error', reject);
});

/** A raw request: the path goes on the wire exactly as written (fetch would normalise `/./` and `%61`). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    http.request({ host: '127.0.0.1', port, path, method: 'GET', headers: { connection: 'close', ...headers }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject).end();
  });
}

async function startNginx(dir: string, server: string, port: number): Promise<ChildProcess> {
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, [
    'daemon off;', 'master_process off;', `pid ${join(dir, 'nginx.pid')};`, `error_log ${join(dir, 'error.log')};`,
    'events { worker_connections 64; }',
    'http {', '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${join(dir, k)};`),
    server, '}',
  ].join('\n'));
  const proc = spawn(NGINX, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try {
      await get(port, '/healthz');
      return proc;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  proc.kill();
  throw new Error(`nginx did not open port ${port}: ${stderr}`);
}

test('the documented nginx rules keep the admin API, the admin page and /metrics behind their IP rules in every spelling', async (t) => {
  t.true(existsSync(NGINX), `nginx is missing at ${NGINX}: the test command installs Debian's nginx-light when it runs as root`);
  const relay = await RelayProcess.start();
  const dir = await mkdtemp(join(tmpdir(), 'relay-nginx-'));
  const port = await freePort();
  const nginx = await startNginx(dir, documentedServer(port, relay.url), port);
  t.teardown(async () => {
    nginx.kill();
    await relay.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  // The rules work as such: the proxy serves the open paths, and the token itself is good.
  t.is(await get(port, '/healthz'), 200, 'nginx proxies the open paths');
  t.is(await get(relay.port, '/api/accounts', admin), 200, 'the admin token is right');

  // The test's address (127.0.0.1) is in none of the documented allow lists.
  const restricted = [
    '/api/accounts', '/API/accounts', '/Api/accounts', '/api/Accounts', '/api/accounts/', '//api/accounts', '/./api/accounts',
    '/x/../api/accounts', '/%61pi/accounts', '/%41PI/accounts', '/api%2Faccounts', '/api/kinds',
    '/admin', '/ADMIN', '/Admin', '/admin/', '/admin.js', '/ADMIN.JS', '/admin.css',
    '/metrics', '/METRICS', '/Metrics', '/metrics/', '/metrics?x=1', '//metrics', '/%6Detrics',
  ];
  const served: string[] = [];
  for (const path of restricted) {
    const status = await get(port, path, admin);
    if (status >= 200 && status < 300) served.push(`${path} → ${status}`);
  }
  t.deepEqual(served, [], 'no spelling of a restricted path is served to an address outside the allow lists');
});

test('the documented two-relay nginx setup sends every request to the relay still up when the other is gone, and keeps the restricted paths closed', async (t) => {
  t.true(existsSync(NGINX), `nginx is missing at ${NGINX}: the test command installs Debian's nginx-light when it runs as root`);
  // Two relays of their own (the proxy is the subject, not what they share).
  const a = await RelayProcess.start();
  t.teardown(() => a.stop());
  const b = await RelayProcess.start();
  t.teardown(() => b.stop());
  const dir = await mkdtemp(join(tmpdir(), 'relay-nginx-'));
  const port = await freePort();
  const nginx = await startNginx(dir, documentedUpstream(port, [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]), port);
  t.teardown(async () => {
    nginx.kill();
    await rm(dir, { recursive: true, force: true });
  });
  const post = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status);
  const statuses = async () => [await get(port, '/healthz'), await get(port, '/healthz'), await post('/hooks/no-such-channel/secret'), await post('/hooks/no-such-channel/secret')];

  t.deepEqual(await statuses(), [200, 200, 404, 404], 'both up: answered by the relays');
  await a.kill('SIGKILL');
  // Round robin sends half of these to the relay that is gone: each goes on to the other, a webhook too.
  t.deepEqual([...await statuses(), ...await statuses()], [200, 200, 404, 404, 200, 200, 404, 404], 'one down: every request answered by the other');

  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  for (const path of ['/api/accounts', '/API/accounts', '/admin', '/metrics', '/METRICS', '/metrics/']) {
    const status = await get(port, path, admin);
    t.false(status >= 200 && status < 300, `${path} → ${status}`);
  }
});
