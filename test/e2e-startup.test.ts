// What the relay checks of its own files and configuration when it starts, and how /healthz
// probes the disk without following a planted link.
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
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

test('account files are checked when read: an older file gets the options\' defaults, a broken one stops the start with its name and the field', async (t) => {
  const relay = await RelayProcess.start();
  t.teardown(() => relay.stop());
  const a = (await relay.api('POST', '/api/accounts', { name: 'Acme', planfix: { url: 'http://127.0.0.1:9/', chatToken: 'x' } })).body;
  const c = (await relay.api('POST', `/api/accounts/${a.id}/channels`, { kind: 'chatra', name: 'Site', settings: { publicKey: 'pk', secretKey: 'sk-secret-value-1' } })).body;
  await relay.kill('SIGTERM');
  const file = join(relay.dataDir, 'accounts', `${a.id}.json`);
  const stored = JSON.parse(await readFile(file, 'utf8'));
  // As a relay before closeTaskOnChatEnd existed wrote it: no options at all.
  stored.channels[0].options = {};
  await writeFile(file, JSON.stringify(stored));
  await relay.restart();
  const seen = (await relay.api('GET', `/api/accounts/${a.id}`)).body;
  t.like(seen.channels.find((x: { id: string }) => x.id === c.id)?.options, { closeTaskOnChatEnd: true, sendAsEmployee: false });
  await relay.kill('SIGTERM');

  stored.channels[0].settings = { publicKey: 'pk' };
  await writeFile(file, JSON.stringify(stored));
  const err = await t.throwsAsync(start(relay.dataDir, 'x'.repeat(40)));
  t.regex(err!.message, new RegExp(`account file .*${a.id}\\.json is not valid: channels\\.0\\.settings\\.secretKey`));
  t.notRegex(err!.message, /sk-secret-value-1/);

  // A file cut in the middle: JSON.parse would quote the text around the fault, here a secret.
  await writeFile(file, JSON.stringify({ ...stored, channels: [] }).replace('"chatToken":"x"', '"chatToken": sk-secret-value-2'));
  const torn = await t.throwsAsync(start(relay.dataDir, 'x'.repeat(40)));
  t.regex(torn!.message, new RegExp(`account file .*${a.id}\\.json is not valid: not JSON`));
  t.notRegex(torn!.message, /sk-secret-value-2/);
});

test('a first start without configuration saves a generated admin token and prints the admin page to sign in to', async (t) => {
  const dir = await tmp();
  const relay = await Proc.start(['dist/relay.js'], { HOST: '127.0.0.1', PORT: '0', RELAY_DATA_DIR: dir }, { readyTimeoutMs: 15_000 });
  t.teardown(async () => { await relay.stop(); await rm(dir, { recursive: true, force: true }); });
  const saved = (await readFile(join(dir, 'admin-token'), 'utf8')).trim();
  t.true(saved.length >= 32);
  t.is(statSync(join(dir, 'admin-token')).mode & 0o777, 0o600);
  t.true(relay.output.includes(saved), 'the token is shown once, on the first start');
  const page = /admin page at (http:\/\/\S+?\/admin),/.exec(relay.output)?.[1];
  t.is(page, `${relay.url}/admin`);
  const res = await fetch(page!);
  t.is(res.status, 200);
  t.regex(await res.text(), /admin\.js/);
  const api = await fetch(`${relay.url}/api/accounts`, { headers: { authorization: `Bearer ${saved}` } });
  t.is(api.status, 200, 'the printed token signs in');
});
