// VerboxSource: what forwards a site's Verbox chats to the relay. Verbox publishes no server
// webhook format (docs/reference/channels.md §4), so this posts whatever body the test builds, as JSON or as a
// form, with the channel's token header, and it is the `replyUrl` the relay posts replies to.
import { HOST, RestartableServer, assertLoopback, parseMaybeJson, readBody, waitFor } from './http.ts';

export interface VerboxReply {
  body: Record<string, unknown>;
  authorization?: string;
  /** The id this fake answered, as Verbox would use it when the message comes back. */
  messageId: string;
}

export class VerboxSource {
  readonly replies: VerboxReply[] = [];
  private failures: number[] = [];
  private next = 1;

  private constructor(private readonly server: RestartableServer, readonly replyToken: string) {}

  static async start(opts: { replyToken?: string } = {}): Promise<VerboxSource> {
    let fake: VerboxSource | undefined;
    const server = new RestartableServer((req, res) => void readBody(req).then((text) => {
      const fail = fake!.failures.shift();
      if (fail) {
        res.writeHead(fail, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `simulated ${fail}` }));
        return;
      }
      if (req.method !== 'POST' || req.url !== '/replies') {
        res.writeHead(404).end();
        return;
      }
      if (req.headers.authorization !== `Bearer ${fake!.replyToken}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'bad reply token' }));
        return;
      }
      const body = parseMaybeJson(text);
      if (!body || typeof body !== 'object' || typeof (body as { text?: unknown }).text !== 'string') {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'text is required' }));
        return;
      }
      const messageId = `vb-out-${fake!.next++}`;
      fake!.replies.push({ body: body as Record<string, unknown>, authorization: req.headers.authorization, messageId });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messageId }));
    }));
    await server.listen(0);
    fake = new VerboxSource(server, opts.replyToken ?? 'verbox-reply-token');
    return fake;
  }

  get replyUrl(): string {
    return `http://${HOST}:${this.server.port}/replies`;
  }

  /** The next replies get these HTTP statuses instead of being accepted. */
  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  /** Posts one event to the relay's webhook URL as JSON, or as a form when `form` is set. */
  async emit(url: string, body: Record<string, unknown>, opts: { token?: string; header?: string; form?: boolean } = {}): Promise<{ status: number; body: unknown }> {
    assertLoopback(url);
    const headers: Record<string, string> = {
      'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...(opts.token ? { [opts.header ?? 'x-relay-token']: opts.token } : {}),
    };
    const text = opts.form
      ? new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString()
      : JSON.stringify(body);
    const res = await fetch(url, { method: 'POST', headers, body: text });
    return { status: res.status, body: parseMaybeJson(await res.text()) };
  }

  waitFor<T>(fn: () => T | undefined | false): Promise<T> {
    return waitFor(fn, 10_000, 'verbox source');
  }

  close(): Promise<void> {
    return this.server.stop();
  }
}
