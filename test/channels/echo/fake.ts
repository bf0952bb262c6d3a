import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Echo's API as its adapter uses it: files by id, and the replies it is sent. */
export class EchoFake {
  readonly sent: { to: string; text: string; id: string }[] = [];
  readonly files = new Map<string, string>();
  /** Requests that came without the channel's token. */
  refused = 0;

  private constructor(private readonly server: http.Server, readonly token: string) {}

  static async start(token: string): Promise<EchoFake> {
    let fake: EchoFake | undefined;
    const server = http.createServer((req, res) => void fake!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new EchoFake(server, token);
    return fake;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      this.refused++;
      return answer(401, { error: 'bad token' });
    }
    const file = /^\/api\/files\/([^/]+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && file) {
      const url = this.files.get(decodeURIComponent(file[1]!));
      return url ? answer(200, { url }) : answer(404, { error: 'no such file' });
    }
    if (req.method === 'POST' && req.url === '/api/send') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; text: string };
      const id = `echo-out-${this.sent.length + 1}`;
      this.sent.push({ ...body, id });
      return answer(200, { id });
    }
    answer(404, { error: 'unknown method' });
  }
}
