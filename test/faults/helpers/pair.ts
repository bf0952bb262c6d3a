import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { PostgresStore } from '../../../relay/store/postgres/store.ts';
import type { Store } from '../../../relay/store/store.ts';
import { RelayProcess } from '../../helpers/relay-process.ts';
import { testDatabase } from '../../helpers/postgres.ts';
import { Relay, startWorld, type AccountOptions, type ChannelKind, type World } from './world.ts';

/**
 * A round-robin proxy on loopback in front of several relays, as nginx's upstream is: each request
 * goes to the next relay, and to the one after when that one refuses the connection (it is down);
 * 502 when none answers.
 */
export class RoundRobin {
  private next = 0;
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(backends: () => string[]): Promise<RoundRobin> {
    let rr: RoundRobin | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const list = backends();
        const first = rr!.next++;
        const attempt = (i: number): void => {
          if (i >= list.length) {
            res.writeHead(502).end('no relay answered');
            return;
          }
          const target = new URL(req.url ?? '/', list[(first + i) % list.length]);
          const out = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer: IncomingMessage) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          });
          out.on('error', () => { if (!res.headersSent) attempt(i + 1); else res.destroy(); });
          out.end(body);
        };
        attempt(0);
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', r));
    rr = new RoundRobin(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return rr;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Two relays on one PostgreSQL database, behind a round-robin proxy. */
export interface Pair extends World {
  /** The second relay; the world's `relay` is the first. */
  second: Relay;
  /** The proxy in front of both, shaped like a relay for the load and the tallies. */
  front: Relay;
  url: string;
  /** A store on the database, as a relay opens it (for what was in flight at a kill). */
  open(): Promise<Store>;
}

/** `url`: a database of the test's own server (one it restarts); else a fresh one on the test server. */
export async function startPair(t: ExecutionContext, opts: { kinds?: ChannelKind[]; env?: Record<string, string>; url?: string } & AccountOptions = {}): Promise<Pair> {
  // Before the relays, so that it is dropped after they stop (teardowns run in reverse).
  const url = opts.url ?? await testDatabase(t);
  const env = { RELAY_DATABASE_URL: url, ...opts.env };
  const w = await startWorld(t, { ...opts, env });
  // Started after the accounts exist: it reads them from the database, as a second host would.
  const second = new Relay(await RelayProcess.start({ LOG_LEVEL: 'debug', ...env }));
  t.teardown(() => second.stop().catch(() => undefined));
  const proxy = await RoundRobin.start(() => [w.relay.url, second.url]);
  t.teardown(() => proxy.close());
  const front = Object.create(w.relay, { url: { get: () => proxy.url } }) as Relay;
  return { ...w, second, front, url, open: () => PostgresStore.open(url) };
}
