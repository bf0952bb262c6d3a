// Slow senders and idle sockets cannot hold the relay: a request must arrive whole within
// RELAY_REQUEST_TIMEOUT_MS, and connections beyond RELAY_MAX_CONNECTIONS are not taken.
import http from 'node:http';
import net from 'node:net';
import test from 'ava';
import { RelayProcess, sharedRelays } from './helpers/relay-process.ts';

// The two request timeout tests share a relay with that timeout (each on a socket of its own); the
// connection cap counts every connection to its relay, which is its own, as is the default one.
const shared = sharedRelays((stop) => test.after.always(stop));
const TIMEOUT = { RELAY_REQUEST_TIMEOUT_MS: '1500' };

/** Opens a socket and writes `head`, then one byte of body every `everyMs`; resolves with what the server answered, when it closes. */
function slowSender(port: number, head: string, everyMs: number): Promise<{ answer: string; sentBytes: number }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let answer = '';
    let sentBytes = 0;
    let timer: NodeJS.Timeout | undefined;
    s.on('connect', () => {
      s.write(head);
      timer = setInterval(() => { if (!s.destroyed) { s.write('x'); sentBytes++; } }, everyMs);
    });
    s.on('data', (c: Buffer) => { answer += c.toString(); });
    const done = () => { clearInterval(timer); resolve({ answer, sentBytes }); };
    s.on('close', done);
    s.on('error', () => undefined);
  });
}

test('a body trickling in is cut off with 408 once the request timeout passes', async (t) => {
  const relay = await shared(TIMEOUT);
  // 100 KB announced, one byte every 100 ms: on Node's defaults this holds the socket for 5 minutes.
  const head = 'POST /planfix/some-account/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n';
  const { answer, sentBytes } = await slowSender(relay.port, head, 100);
  t.regex(answer, /^HTTP\/1\.1 408/);
  t.true(sentBytes < 100_000);
  // The relay goes on serving.
  t.is((await fetch(`${relay.url}/healthz`)).status, 200);
});

test('headers that never finish are cut off too', async (t) => {
  const relay = await shared(TIMEOUT);
  const { answer } = await slowSender(relay.port, 'POST /hooks/abc/def HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 100);
  t.regex(answer, /^HTTP\/1\.1 408/);
});

test('connections past RELAY_MAX_CONNECTIONS are dropped, and taken again once others close', async (t) => {
  const relay = await RelayProcess.start({ RELAY_MAX_CONNECTIONS: '4' });
  t.teardown(() => relay.stop());
  const idle = await Promise.all(Array.from({ length: 4 }, () => new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(relay.port, '127.0.0.1', () => resolve(s)).on('error', reject);
  })));
  // Give the server the moment it needs to count the four as open.
  await new Promise((r) => setTimeout(r, 200));
  // Refused, the socket is reset at once and fetch tries again until it is aborted: served, /healthz
  // answers in milliseconds, so 2 s tells the two apart (5 s did too, three seconds later).
  const refused = await fetch(`${relay.url}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, (err: Error) => err.name);
  t.not(refused, 200, 'a fifth connection is not served');
  for (const s of idle) s.destroy();
  let status: number | string = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await fetch(`${relay.url}/healthz`).then((r) => r.status, (err: Error) => err.name);
  }
  t.is(status, 200);
});

/** One POST over a fresh connection; resolves with the status, or the network error's code. */
function post(port: number, path: string, body: Buffer): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { connection: 'close', 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end(body);
  });
}

test('a request refused before its body was read still gets its answer, not a reset connection', async (t) => {
  const relay = await RelayProcess.start();
  t.teardown(() => relay.stop());
  const body = Buffer.alloc(900_000, 'x');
  // A half-pasted webhook URL, a wrong secret, an unknown path: each refused before the body is read.
  for (const path of ['/hooks/abc', '/hooks/abc/def', '/nope']) {
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(relay.port, path, body)));
    t.deepEqual(answers, Array(5).fill(404), path);
  }
});
