// Mistaken URLs: every face of the relay asked the way an admin pasting a URL by halves, a proxy
// rewriting case, or a provider set to the wrong method would ask it. A provider counts any 2xx
// as delivered, so none of these may be a 2xx, none a 5xx, and nothing may be journaled.
import test from 'ava';
import { ADMIN_TOKEN } from '../helpers/relay-process.ts';
import { request } from './helpers/http.ts';
import { eventRequest } from './helpers/load.ts';
import { journalEvents } from './helpers/journal.ts';
import { finish, record } from './helpers/results.ts';
import { TIMEOUT } from './helpers/scale.ts';
import { loadTarget, startWorld } from './helpers/world.ts';

test.after.always(() => finish(import.meta.url));

interface Face {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Other methods the path takes (not a mistake). */
  allowed?: string[];
  /** The same request without its credential, where the credential is not in the path. */
  bare?: Omit<Face, 'name' | 'bare' | 'allowed'>;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The mistakes of one face: each a request that must not be taken. */
type Try = { name: string; method: string; path: string; headers?: Record<string, string>; body?: string };
function mistakes(f: Face): Try[] {
  const [path, query = ''] = f.path.split('?') as [string, string?];
  const q = query ? `?${query}` : '';
  const segs = path.split('/').filter(Boolean);
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const same = { headers: f.headers, body: f.body };
  const out: Try[] = [
    { name: 'unknown path (first segment misspelt)', method: f.method, path: `/${segs[0]}x/${segs.slice(1).join('/')}${q}`, ...same },
    { name: 'unknown path (one segment more)', method: f.method, path: `${path}/x${q}`, ...same },
    { name: 'trailing slash', method: f.method, path: `${path}/${q}`, ...same },
    { name: 'upper case', method: f.method, path: `${path.toUpperCase()}${q}`, ...same },
    { name: 'first segment capitalised', method: f.method, path: `/${capital(segs[0]!)}${segs.length > 1 ? `/${segs.slice(1).join('/')}` : ''}${q}`, ...same },
    ...METHODS.filter((m) => m !== f.method && !f.allowed?.includes(m)).map((m) => ({ name: `wrong method ${m}`, method: m, path: f.path, ...same })),
  ];
  // A webhook URL pasted without its secret: the last path segment left out.
  if (segs[0] === 'hooks') out.push({ name: 'URL without its secret', method: f.method, path: `/hooks/${segs[1]}${q}`, ...same });
  if (f.bare) out.push({ name: 'without its credential', ...f.bare });
  return out;
}

test('mistaken URLs: no face answers 2xx to an unknown path, a URL without its secret, a trailing slash, another case or a wrong method', async (t) => {
  t.timeout(TIMEOUT);
  // Every try comes from 127.0.0.1 and many lack a credential: the slow-down of failed authentications would stretch the run.
  const w = await startWorld(t, { env: { RELAY_AUTH_FREE_FAILURES: '100000' } });
  const a = w.account;
  const target = loadTarget(w);
  const hook = (kind: 'chatra' | 'viber' | 'verbox' | 'call', n: number): Face => {
    const r = eventRequest(target, { kind, conv: `mistaken-${kind}`, seq: n, id: `mistaken-${kind}-${n}` }, { phone: kind === 'call' ? '+380671234567' : undefined });
    return { name: `${kind === 'call' ? 'ringostat' : kind} webhook`, method: 'POST', ...r };
  };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const faces: Face[] = [
    hook('chatra', 0), hook('viber', 0), hook('verbox', 0), hook('call', 0),
    { name: 'Planfix chat callback', method: 'POST', path: `/planfix/${a.id}/chat`, headers: form, body: `cmd=newMessage&token=${a.chatCallbackToken}&chatId=nope&messageId=m1&message=hi`,
      bare: { method: 'POST', path: `/planfix/${a.id}/chat`, headers: form, body: 'cmd=newMessage&chatId=nope&messageId=m1&message=hi' } },
    { name: 'Planfix telephony callback', method: 'POST', path: `/planfix/${a.id}/telephony`, headers: form, body: `cmd=ping&token=${a.telephonyCallbackToken}`,
      bare: { method: 'POST', path: `/planfix/${a.id}/telephony`, headers: form, body: 'cmd=ping' } },
    { name: 'admin API list', method: 'GET', path: '/api/accounts', headers: admin, allowed: ['POST'], bare: { method: 'GET', path: '/api/accounts' } },
    { name: 'admin API account', method: 'GET', path: `/api/accounts/${a.id}`, headers: admin, allowed: ['PATCH', 'DELETE'], bare: { method: 'GET', path: `/api/accounts/${a.id}` } },
    { name: 'admin page', method: 'GET', path: '/admin' },
    { name: 'admin page script', method: 'GET', path: '/admin.js' },
    { name: 'widget bundle', method: 'GET', path: '/widget.js' },
    { name: 'userscript', method: 'GET', path: `/widget/${a.id}.user.js?key=${a.widgetKey}`, bare: { method: 'GET', path: `/widget/${a.id}.user.js` } },
    { name: 'widget data', method: 'GET', path: `/widget/${a.id}/tasks/1`, headers: { 'x-widget-key': a.widgetKey }, allowed: ['OPTIONS'], bare: { method: 'GET', path: `/widget/${a.id}/tasks/1` } },
    { name: 'widget data of a contact', method: 'GET', path: `/widget/${a.id}/contacts/1`, headers: { 'x-widget-key': a.widgetKey }, allowed: ['OPTIONS'], bare: { method: 'GET', path: `/widget/${a.id}/contacts/1` } },
    { name: 'widget data, a history page', method: 'GET', path: `/widget/${a.id}/contacts/1/history/calls`, headers: { 'x-widget-key': a.widgetKey }, allowed: ['OPTIONS'], bare: { method: 'GET', path: `/widget/${a.id}/contacts/1/history/calls` } },
    { name: 'health', method: 'GET', path: '/healthz' },
    { name: 'metrics', method: 'GET', path: '/metrics' },
  ];

  // Each face asked rightly first: it is there, so a refusal below is the mistake's doing.
  const rightWrong: string[] = [];
  for (const f of faces) {
    const r = await request(`${w.relay.url}${f.path}`, { method: f.method, headers: f.headers, body: f.body });
    // The Planfix chat callback names no conversation and widget data no known task or contact: the right URL, refused for its content.
    const expected = f.name === 'Planfix chat callback' ? 400 : f.name.startsWith('widget data') ? 404 : 200;
    if (r.status !== expected) rightWrong.push(`${f.name}: ${r.status} ${r.text.slice(0, 100)}`);
  }
  t.deepEqual(rightWrong, [], 'every face answers its right URL');

  const before = await journalEvents(w.relay.dataDir);
  const twoXX: string[] = [];
  let fiveXX = 0;
  let tries = 0;
  const byStatus = new Map<number, number>();
  for (const f of faces) {
    for (const m of mistakes(f)) {
      tries++;
      const r = await request(`${w.relay.url}${m.path}`, { method: m.method, headers: m.headers, body: m.body });
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      if (r.status >= 200 && r.status < 300) twoXX.push(`${f.name}, ${m.name}: ${m.method} ${m.path.replace(/[\w-]{16,}/g, '…')} → ${r.status}`);
      if (r.status >= 500 || r.status === 0) fiveXX++;
    }
  }
  const grew = (await journalEvents(w.relay.dataDir)) - before;
  const health = await w.relay.health();
  const statuses = [...byStatus].sort(([x], [y]) => x - y).map(([s, n]) => `${s}×${n}`).join(', ');

  record(import.meta.url, {
    scenario: 'mistaken URLs', load: 'none (each request checked alone)',
    faults: `${faces.length} faces × unknown path, URL without its secret or credential, trailing slash, other case, wrong method`,
    inputs: tries, lost: 0, duplicated: 0, fiveXX,
    notes: `2xx answered: ${twoXX.length}; answers ${statuses}; events journaled ${grew}`,
  });
  t.deepEqual(twoXX, [], 'no mistaken URL is answered 2xx');
  t.is(fiveXX, 0);
  t.is(grew, 0, 'no event was journaled');
  t.is(health.status, 200);
});
