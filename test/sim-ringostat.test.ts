// The Ringostat fake: its click-to-call API (outward_call, /a/v2 Callback.external), over real HTTP on 127.0.0.1.
import test from 'ava';
import { EXTERNAL_CALLBACK, RingostatFake } from './sim/ringostat.ts';
import type { Teardown } from './helpers/planfix-sim.ts';

async function ringostat(t: Teardown, opts?: { projectId?: string; projectNumbers?: string[] }) {
  const r = await RingostatFake.start({ authKey: 'rs-key', ...opts });
  t.teardown(() => r.close());
  return r;
}

function outwardCall(r: RingostatFake, body: string | Record<string, unknown>, headers: Record<string, string> = { 'auth-key': 'rs-key' }) {
  const form = typeof body === 'string';
  return fetch(`${r.apiUrl}/callback/outward_call`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', ...headers },
    body: form ? body : JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, text: await res.text() }));
}

test('ringostat: outward_call needs the Auth-key; a wrong project id is refused', async (t) => {
  const r = await ringostat(t, { projectId: '11111' });
  const body = 'extension=380441112233&destination=380671112233';
  t.deepEqual(await outwardCall(r, body, {}), { status: 401, text: '{"message":"Unauthorized"}' });
  t.is((await outwardCall(r, body, { 'auth-key': 'wrong' })).status, 401);
  t.is((await outwardCall(r, body, { 'auth-key': 'rs-key', 'x-project-id': '22222' })).status, 403);
  t.is(r.callbacks.length, 0);
  t.deepEqual(r.requests.map((q) => [q.authKey, q.status]), [[undefined, 401], ['wrong', 401], ['rs-key', 403]]);
  t.deepEqual(await outwardCall(r, body, { 'Auth-Key': 'rs-key', 'x-project-id': '11111' }), { status: 200, text: '' });
  t.like(r.callbacks[0]!, { via: 'outward_call', caller: '380441112233', callee: '380671112233', projectId: '11111' });
});

test('ringostat: outward_call takes only a project number as the extension, never an employee\'s', async (t) => {
  const r = await ringostat(t, { projectNumbers: ['380441112233'] });
  for (const employee of ['101', 'sip_anna', '380671112233']) {
    const refused = await outwardCall(r, { extension: employee, destination: '380671112234' });
    t.is(refused.status, 400, employee);
    t.regex(refused.text, /project number/);
  }
  t.is(r.callbacks.length, 0);
});

test('ringostat: form and JSON bodies, missing fields, failNext, unknown paths', async (t) => {
  const r = await ringostat(t, { projectNumbers: ['380441112233', '380441112244'] });
  t.is((await outwardCall(r, 'extension=380441112233&destination=380671112233')).status, 200);
  t.is((await outwardCall(r, { extension: 380441112244, destination: 'sip_anna' })).status, 200);
  t.deepEqual(r.callbacks.map((c) => [c.caller, c.callee]), [['380441112233', '380671112233'], ['380441112244', 'sip_anna']]);
  t.like(r.requests[0]!, { path: '/callback/outward_call', contentType: 'application/x-www-form-urlencoded', body: { extension: '380441112233', destination: '380671112233' } });
  t.deepEqual(await outwardCall(r, 'extension=380441112233'), { status: 400, text: '{"message":"destination is required"}' });
  t.is((await outwardCall(r, { destination: '1' })).status, 400);

  r.failNext(2, 503);
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await outwardCall(r, 'extension=380441112233&destination=380671112233')).status);
  t.deepEqual(statuses, [503, 503, 200]);
  t.is(r.callbacks.length, 3);
  const other = await fetch(`${r.apiUrl}/callback/outbound_call`, { method: 'POST', headers: { 'auth-key': 'rs-key' } });
  t.is(other.status, 404, 'the legacy method name is not served');
});

function external(r: RingostatFake, body: unknown, headers: Record<string, string> = { 'auth-key': 'rs-key' }) {
  return fetch(`${r.apiUrl}/a/v2`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
    .then(async (res) => ({ status: res.status, body: await res.json().catch(() => undefined) as unknown }));
}

test('ringostat: /a/v2 Callback.external rings caller then callee; bad input is a JSON-RPC error in an HTTP 200', async (t) => {
  const r = await ringostat(t, { projectId: '11111' });
  const rpc = (params: Record<string, unknown>, method = EXTERNAL_CALLBACK) => ({ jsonrpc: '2.0', id: 7, method, params });
  const ok = await external(r, rpc({ projectId: '11111', caller: 'sip_anna', callee: '380632223344', manager_dst: 1 }));
  t.deepEqual(ok, { status: 200, body: { jsonrpc: '2.0', id: 7, result: true } });
  t.like(r.callbacks[0]!, { via: 'external', caller: 'sip_anna', callee: '380632223344', projectId: '11111', params: { manager_dst: 1 } });
  // The method name carries literal backslashes.
  t.true(JSON.stringify(rpc({})).includes('"Api\\\\V2\\\\Callback.external"'));

  const errors: [unknown, number][] = [
    [rpc({ projectId: '11111', callee: '380632223344' }), -32602],
    [rpc({ projectId: '11111', caller: '380671112233' }), -32602],
    [rpc({ caller: '380671112233', callee: '380632223344' }), -32602],
    [rpc({ projectId: '22222', caller: '380671112233', callee: '380632223344' }), -32602],
    [rpc({ projectId: '11111', caller: '380671112233', callee: '380632223344' }, 'Api\\V2\\Callback.simple'), -32601],
    [{ id: 1, method: EXTERNAL_CALLBACK }, -32600],
    ['not json', -32700],
  ];
  for (const [body, code] of errors) {
    const a = await external(r, body);
    t.is(a.status, 200, JSON.stringify(body));
    t.like(a.body, { jsonrpc: '2.0', error: { code } }, JSON.stringify(body));
  }
  t.is(r.callbacks.length, 1);
  t.is((await external(r, rpc({ projectId: '11111', caller: 'a', callee: 'b' }), { 'auth-key': 'wrong' })).status, 401);
});

function callList(r: RingostatFake, query: Record<string, string>, headers: Record<string, string> = { 'auth-key': 'rs-key' }) {
  return fetch(`${r.apiUrl}/calls/list?${new URLSearchParams(query)}`, { headers })
    .then(async (res) => ({ status: res.status, body: await res.json().catch(() => undefined) as any }));
}

test('ringostat: the call log answers the calls of a span by the project\'s wall clock, only the fields asked for, with the key and project', async (t) => {
  const r = await ringostat(t, { projectId: '11111' });
  // 2024-11-14 10:15:02 in Kyiv (+0200 in November) is 08:15:02 UTC.
  const at = Date.UTC(2024, 10, 14, 8, 15, 2);
  r.logCall({ uniqueid: 'c1', at, caller: '380501112233' });
  r.logCall({ uniqueid: 'c2', at: at + 60_000, caller: '380501112234', disposition: 'IN PROGRESS', billsec: 0 });
  r.logCall({ uniqueid: 'c3', at: Date.UTC(2024, 6, 1, 9, 0, 0), caller: '380501112235' });
  t.is(r.callLog.rows[0]!.calldate, '2024-11-14T10:15:02+0200');
  t.is(r.callLog.rows[2]!.calldate, '2024-07-01T12:00:00+0300', 'summer time is +0300');
  const q = { projectId: '11111', export_type: 'json', from: '2024-11-14 10:15:02', to: '2024-11-14 10:16:02', fields: 'uniqueid,calldate,disposition,utm_term' };
  const all = await callList(r, q);
  t.is(all.status, 200);
  t.deepEqual(all.body, [
    { uniqueid: 'c1', calldate: '2024-11-14T10:15:02+0200', disposition: 'ANSWERED' },
    { uniqueid: 'c2', calldate: '2024-11-14T10:16:02+0200', disposition: 'IN PROGRESS' },
  ]);
  t.deepEqual((await callList(r, { ...q, from: '2024-11-14 10:15:03' })).body.map((x: { uniqueid: string }) => x.uniqueid), ['c2']);
  t.deepEqual((await callList(r, { ...q, order: 'calldate desc' })).body.map((x: { uniqueid: string }) => x.uniqueid), ['c2', 'c1']);
  t.is((await callList(r, q, {})).status, 401);
  t.is((await callList(r, q, { 'auth-key': 'wrong' })).status, 401);
  t.is((await callList(r, { ...q, projectId: '22222' })).status, 403);
  t.is((await callList(r, { ...q, from: '2024-11-14T10:15:02' })).status, 400);
  t.is((await callList(r, { ...q, export_type: 'csv' })).status, 400);
  r.failCallLog(1, 503);
  t.is((await callList(r, q)).status, 503);
  t.is((await callList(r, q)).status, 200);
  t.is(r.callLogRequests.length, 10);
  t.like(r.callLogRequests[0], { method: 'GET', authKey: 'rs-key', query: { projectId: '11111', export_type: 'json' } });
});

test('ringostat: a call-log answer holds at most maxRows rows, the earliest first', async (t) => {
  const r = await RingostatFake.start({ authKey: 'rs-key', maxRows: 2 });
  t.teardown(() => r.close());
  const at = Date.UTC(2024, 10, 14, 8, 0, 0);
  for (let i = 0; i < 3; i++) r.logCall({ uniqueid: `c${i}`, at: at + i * 1000, caller: '380501112233' });
  const a = await callList(r, { projectId: '1', export_type: 'json', from: '2024-11-14 10:00:00', to: '2024-11-14 10:01:00' });
  t.deepEqual(a.body.map((x: { uniqueid: string }) => x.uniqueid), ['c0', 'c1']);
  t.is(a.body[0].employee_number, -1, 'every variable when no fields are asked for');
});
