// What the relay checks of its own files and configuration when it starts, and how /healthz
// probes the disk without following a planted link.
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Proc } from './helpers/proc.ts';
import { RelayProcess } from './helpers/relay-process.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'relay-start-'));

test('a data directory readable by others is made 0700 at start, and the change is logged', async (t) => {
  const dir = await tmp();
  await chmod(dir, 0o755);
  const relay = await RelayProcess.start({}, dir);
  t.teardown(() => relay.stop());
  t.is(statSync(dir).mode & 0o777, 0o700);
  t.regex(relay.output, /the data directory was readable by others/);
});

test('/healthz never writes through a link planted in the data directory', async (t) => {
  const dir = await tmp();
  const outside = await tmp();
  t.teardown(() => rm(outside, { recursive: true, force: true }));
  const victim = join(outside, 'victim');
  // The probe's old fixed name, and a guess at any other, point outside.
  await symlink(victim, join(dir, '.healthz-probe'));
  const relay = await RelayProcess.start({}, dir);
  t.teardown(() => relay.stop());
  const res = await fetch(`${relay.url}/healthz`);
  t.is(res.status, 200);
  t.false(existsSync(victim), 'nothing was written through the link');
  t.true(lstatSync(join(dir, '.healthz-probe')).isSymbolicLink(), 'the planted link is left alone');
  t.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.healthz-probe-')), [], 'the probe file is removed');
});

const start = (dataDir: string, token: string) => Proc.start(['dist/relay.js'], {
  HOST: '127.0.0.1', PORT: '0', RELAY_DATA_DIR: dataDir, RELAY_ADMIN_TOKEN: token, LOG_LEVEL: 'info',
}, { readyTimeoutMs: 15_000 });

test('an admin token under 32 characters is refused for a new installation and kept, with a warning, where it already guards accounts', async (t) => {
  const fresh = await tmp();
  t.teardown(() => rm(fresh, { recursive: true, force: true }));
  const short = 'short-token-24-characters';
  const err = await t.throwsAsync(start(fresh, short));
  t.regex(err!.message, /RELAY_ADMIN_TOKEN: must be at least 32 characters/);

  // An installation that already has an account keeps working with the token it has.
  const existing = await tmp();
  t.teardown(() => rm(existing, { recursive: true, force: true }));
  const relay = await RelayProcess.start({}, existing);
  t.is((await relay.api('POST', '/api/accounts', { name: 'Acme', planfix: { url: 'http://127.0.0.1:9/', chatToken: 'x' } })).status, 201);
  await relay.kill('SIGTERM');
  const proc = await start(existing, short);
  t.teardown(() => proc.stop('SIGTERM'));
  t.regex(proc.output, /RELAY_ADMIN_TOKEN is shorter than 32 characters/);
  const list = await fetch(`http://127.0.0.1:${proc.port}/api/accounts`, { headers: { authorization: `Bearer ${short}` } });
  t.is(list.status, 200);
});
