// The Planfix simulator's tests' shared setup: a simulator per test, and requests to its Chat API,
// REST API and a stand-in relay endpoint for what the simulator sends, all over real HTTP on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeForm, parseForm, type Attachment } from '../sim/form.ts';
import { postForm, readBody } from '../sim/http.ts';
import { PlanfixSim, type PlanfixSimOptions } from '../sim/planfix.ts';

/** The simulator's default tokens (test/sim/state.ts, DEFAULTS). */
export const TOKEN = 'pf-chat-token';
export const REST = 'pf-rest-token';
export const TEL = 'pf-tel-token';

export interface Teardown { teardown(fn: () => Promise<void>): void }

export async function sim(t: Teardown, opts?: PlanfixSimOptions) {
  const s = await PlanfixSim.start(opts);
  t.teardown(() => s.close());
  return s;
}

/** A Chat API newMessage on chat-1 from contact c-1 (Olga), with the fields given (undefined leaves one out). */
export function msg(s: PlanfixSim, fields: Record<string, string | undefined>, attachments: Attachment[] = []) {
  const base = { cmd: 'newMessage', providerId: 'chatra', planfix_token: TOKEN, chatId: 'chat-1' };
  const defaults = { message: 'hi', contactId: 'c-1', contactName: 'Olga' };
  return postForm(s.chatApiUrl, encodeForm({ ...base, ...defaults, ...fields }, attachments));
}

/** Any Chat API command as chatra, with the right token unless the fields say otherwise. */
export function cmd(s: PlanfixSim, fields: Record<string, string>) {
  return postForm(s.chatApiUrl, encodeForm({ providerId: 'chatra', planfix_token: TOKEN, ...fields }));
}

/** A REST request with the Bearer token (null: none); the parsed body and X-RateLimit-Remaining. */
export async function rest(s: PlanfixSim, method: string, path: string, body?: unknown, token: string | null = REST) {
  const res = await fetch(s.restUrl + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as any, remaining: res.headers.get('x-ratelimit-remaining') };
}

/** A stand-in relay endpoint that records Planfix's form posts. */
export async function fakeRelay(
  t: { teardown(fn: () => void): void },
  answer: (f: Record<string, string>) => { status: number; body: unknown },
) {
  const received: [string, string][][] = [];
  const server = http.createServer(async (req, res) => {
    const entries = parseForm(await readBody(req));
    received.push(entries);
    const a = answer(Object.fromEntries(entries));
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/planfix`, received };
}
