// Finding 5 in docs/faults-findings.md (relay/app.ts, the "unhandled error" log line): a 500 on a
// webhook URL logs ctx.path whole, and the path's last segment is the channel's secret. The fuzz saw
// it in the relay's logs while a 500 on a Verbox webhook was still open; logs go to collectors that
// must never hold secrets. No request reaches that line on a hook path any more, so a channel with
// broken options stands in for the next bug. Fixed: app.ts logs a webhook path without its secret.
import { Writable } from 'node:stream';
import test from 'ava';
import { pino } from 'pino';
import { buildApp } from '../relay/app.ts';
import type { Relay } from '../relay/context.ts';
import { loggerOptions } from '../relay/log.ts';

test('a 500 on a webhook URL does not write the URL\'s secret to the log', async (t) => {
  let logged = '';
  const log = pino(loggerOptions('debug'), new Writable({ write(chunk, _enc, cb) { logged += chunk; cb(); } }));
  const secret = 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tXY';
  // Options missing: reading them throws inside the adapter, as an unforeseen bug would.
  const channel = { id: 'ch1', kind: 'chatra', name: 'x', secret, settings: {}, options: undefined, createdAt: '' };
  const account = { id: 'acc1', defaultCountry: 'UA', channels: [channel], planfix: {}, callback: {}, widget: { key: 'k' } };
  const base = {
    config: { dataDir: '/nonexistent', allowHosts: [], httpTimeoutMs: 1000 }, log, publicUrl: () => 'http://127.0.0.1',
    accounts: { channel: (id: string) => (id === 'ch1' ? { account, channel } : undefined), get: () => account, list: () => [account] },
  };
  // Whatever else buildApp's routers touch when they are built: inert.
  const inert: unknown = new Proxy(() => undefined, { get: () => inert, apply: () => undefined });
  const relay = new Proxy(base, { get: (o, k) => (k in o ? (o as Record<PropertyKey, unknown>)[k] : inert) }) as unknown as Relay;
  const server = buildApp(relay).listen(0, '127.0.0.1');
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/hooks/ch1/${secret}`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ eventName: 'chatTranscript', client: { id: 'c1' }, messages: [] }),
  });
  t.is(res.status, 500, 'the stand-in bug did reach the last-resort handler');
  t.regex(logged, /unhandled error/);
  t.false(logged.includes(secret), 'the secret is not in the log');
});
