// A bug that escapes every handler (an uncaught exception, a rejection nobody handles) ends the
// built relay with a non-zero code and a fatal log line carrying the stack: carrying on would
// serve from a state no code planned for, and the supervisor's restart resumes from the journal.
// The bug is planted from outside: a module preloaded with --import throws (or rejects) when the
// running relay gets SIGUSR2, which the relay itself does not use.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { Proc } from './helpers/proc.ts';
import { ADMIN_TOKEN } from './helpers/relay-process.ts';

const PLANTED = `process.on('SIGUSR2', () => {
  if (process.env.BOOM === 'reject') Promise.reject(new Error('boom, rejected'));
  else throw new Error('boom');
});
`;

/** The exit code, or 'running' if the process is still up after `ms`. */
function exitOf(p: Proc, ms: number): Promise<number | null | 'running'> {
  return new Promise((resolve) => {
    if (p.proc.exitCode !== null) return resolve(p.proc.exitCode);
    const timer = setTimeout(() => resolve('running'), ms);
    p.proc.once('exit', (code) => { clearTimeout(timer); resolve(code); });
  });
}

async function startPlanted(t: ExecutionContext, boom: 'throw' | 'reject'): Promise<Proc> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-crash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const planted = join(dir, 'planted.mjs');
  await writeFile(planted, PLANTED);
  const relay = await Proc.start(['--import', pathToFileURL(planted).href, 'dist/relay.js'], {
    HOST: '127.0.0.1', PORT: '0', RELAY_DATA_DIR: join(dir, 'data'), RELAY_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info', BOOM: boom,
  }, { readyTimeoutMs: 15_000 });
  t.teardown(() => relay.stop('SIGKILL'));
  t.is((await fetch(`${relay.url}/healthz`)).status, 200, 'the relay was serving');
  return relay;
}

for (const [boom, what] of [['throw', 'uncaught exception'], ['reject', 'unhandled rejection']] as const) {
  test(`an ${what} is logged at fatal with its stack, and the relay exits non-zero`, async (t) => {
    const relay = await startPlanted(t, boom);
    relay.proc.kill('SIGUSR2');
    const code = await exitOf(relay, 10_000);
    t.not(code, 'running', 'the relay did not keep running');
    t.not(code, 0);
    t.not(code, null, 'it exited by itself, not by a signal');

    const lines = relay.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
    const fatal = lines.filter((l) => l.level === 60);
    t.is(fatal.length, 1, relay.output.slice(-2000));
    t.regex(fatal[0]!.msg, new RegExp(what));
    t.regex(fatal[0]!.err.stack, /^Error: boom/);
    t.regex(fatal[0]!.err.stack, /\n {4}at .*planted\.mjs/, 'the stack says where');
  });
}

// Where the log goes may be gone (journald restarted: every write is EPIPE). Logging must not
// keep the relay from exiting, after a fatal error as on SIGTERM.
for (const how of ['uncaught exception', 'SIGTERM'] as const) {
  test(`with its stdout gone, the relay still exits on ${how === 'SIGTERM' ? 'SIGTERM' : 'an uncaught exception'}`, async (t) => {
    const relay = await startPlanted(t, 'throw');
    relay.proc.stdout!.destroy();
    relay.proc.stderr!.destroy();
    relay.proc.kill(how === 'SIGTERM' ? 'SIGTERM' : 'SIGUSR2');
    const code = await exitOf(relay, 10_000);
    t.is(code, how === 'SIGTERM' ? 0 : 1);
  });
}
