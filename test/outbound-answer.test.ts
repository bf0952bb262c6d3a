// What the relay reads of an answer: a peer that streams without end is cut off at the cap.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { TerminalError } from '../relay/errors.ts';
import { MAX_ANSWER_BYTES, OutboundPolicy, send } from '../relay/net/outbound.ts';

test('an answer past the cap is refused for good, read no further than the cap; a normal one is whole', async (t) => {
  let sent = 0;
  const chunk = Buffer.alloc(256 * 1024, 'x');
  const server = createServer((req, res) => {
    if (req.url === '/small') return res.end('{"ok":true}');
    res.writeHead(200, { 'content-type': 'application/json' });
    // Endless: only the relay cutting the connection stops it.
    const more = () => {
      while (!res.destroyed && sent < MAX_ANSWER_BYTES * 4) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const policy = new OutboundPolicy(['127.0.0.1']);

  const small = await send(policy, 'provider', `${base}/small`, { timeoutMs: 5000 });
  t.deepEqual(small.json, { ok: true });
  const err = await t.throwsAsync(send(policy, 'provider', `${base}/endless`, { timeoutMs: 20_000 }));
  t.true(err instanceof TerminalError);
  t.regex(err!.message, /answered more than 16 MB/);
  t.true(sent < MAX_ANSWER_BYTES * 4, 'the relay hung up before the peer was done');
});
