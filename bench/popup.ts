// Figure 8, pop-up: how soon a caller's card opens in Planfix. The account's Planfix holds 2,000
// contacts, which the relay's phone book mirror reads first; then 60 call_end webhooks of known
// callers (each one REST request, a comment on the contact) queue 60 requests behind Planfix's
// 1 request a second, and while they wait, 100 calls of other known numbers start, 100 ms apart.
// Measured per call: from sending its call_start webhook to the simulator receiving its Telephony
// INCOMING (both clocks are this process's).
import { rm } from 'node:fs/promises';
import { PlanfixSim } from '../test/sim/planfix.ts';
import { fmt, percentile, RelayProc, sleep, tempDir, waitFor, type FigureResult } from './lib.ts';

export const POPUP = { contacts: 2000, backlog: 60, calls: 100, spacingMs: 100, targetP99Ms: 300 };

const phoneOf = (i: number) => { const n = String(3_000_000 + i).slice(-7); return `+380 67 ${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5)}`; };
const digits = (spelled: string) => spelled.replace(/\D/g, '');

export async function popup(): Promise<FigureResult> {
  const pf = await PlanfixSim.start();
  const dir = await tempDir('popup');
  let relay: RelayProc | undefined;
  try {
    pf.addEmployee({ email: 'ivan@acme.test', name: 'Ivan', lastName: 'Ivanenko', ext: '11' });
    for (let i = 0; i < POPUP.contacts; i++) pf.addContact({ name: `Caller ${i}`, phones: [phoneOf(i)] });
    relay = await RelayProc.start(dir, { env: { RELAY_PHONE_BOOK: 'on', RELAY_PHONE_BOOK_CHANGES_MIN: '0.1' } });
    const account = await relay.api('POST', '/api/accounts', {
      name: 'Acme', defaultCountry: 'UA',
      planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token', telephonyToken: 'pf-tel-token' },
    });
    if (account.status !== 201) throw new Error(`account: ${JSON.stringify(account.body)}`);
    const channel = await relay.api('POST', `/api/accounts/${account.body.id}/channels`, {
      kind: 'ringostat', name: 'Calls', settings: { apiUrl: 'http://127.0.0.1:9' },
      options: { callTarget: 'contact', employees: [{ id: '380671112233', ext: '11', email: 'ivan@acme.test', name: 'Ivan Ivanenko' }] },
    });
    if (channel.status !== 201) throw new Error(`channel: ${JSON.stringify(channel.body)}`);
    // The mirror looks at the accounts every 6 s here (every minute by default).
    const mirrorStart = performance.now();
    const book = await waitFor(async () => {
      const v = (await relay!.api('GET', `/api/accounts/${account.body.id}/phone-book`)).body as { syncedAt?: string; numbers: number };
      return v.syncedAt ? v : undefined;
    }, 180_000, 'the phone book mirror', 200);
    const mirrorS = (performance.now() - mirrorStart) / 1000;

    const post = (moment: string, body: Record<string, unknown>) => fetch(relay!.local(`${channel.body.webhookUrl}?event=${moment}`), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const restBefore = pf.restCalls.length;
    const backlog = await Promise.all(Array.from({ length: POPUP.backlog }, (_, i) => post('call_end', {
      uniqueid: `backlog-${i}`, calldate: new Date().toISOString(), call_type: 'in', caller: digits(phoneOf(i)), dst: '380443334455',
      disposition: 'ANSWERED', billsec: 30, connected_with: '380671112233',
    })));
    if (backlog.some((a) => a.status !== 200)) throw new Error(`backlog webhooks: ${backlog.map((a) => a.status).join(',')}`);

    const sent = new Map<string, number>();
    const queuedAtStart = POPUP.backlog - (pf.restCalls.length - restBefore);
    for (let i = 0; i < POPUP.calls; i++) {
      const id = `popup-${i}`;
      sent.set(id, Date.now());
      const res = await post('call_start', {
        uniqueid: id, calldate: new Date().toISOString(), call_type: 'in', caller: digits(phoneOf(1000 + i)), dst: '380443334455', employee_number: '380671112233',
      });
      if (res.status !== 200) throw new Error(`call_start ${id}: ${res.status}`);
      await sleep(POPUP.spacingMs);
    }
    const queuedAtEnd = POPUP.backlog - (pf.restCalls.length - restBefore);
    const events = await waitFor(() => {
      const got = pf.telephonyEvents.filter((e) => e.event === 'INCOMING' && sent.has(e.callid));
      return got.length >= POPUP.calls ? got : undefined;
    }, 60_000, `${POPUP.calls} INCOMING events`, 10).catch((err: Error) => {
      const got = pf.telephonyEvents.filter((e) => sent.has(e.callid));
      throw new Error(`${err.message}: ${got.length} came (${[...new Set(got.map((e) => e.event))].join(', ')}); REST requests ${pf.restCalls.length - restBefore}`);
    });
    const ms = events.map((e) => e.at - sent.get(e.callid)!).sort((a, b) => a - b);
    const wrongSpelling = events.filter((e) => e.phone !== phoneOf(1000 + Number(e.callid.slice(6)))).length;
    const searches = pf.restCalls.slice(restBefore).filter((c) => JSON.stringify((c.body as { filters?: unknown })?.filters ?? '').includes('"type":4003')).length;
    const p99 = percentile(ms, 99);
    await relay.drained(120_000);
    return {
      rows: [{
        figure: '8 pop-up: webhook → Telephony INCOMING, known number, REST backlog of 60',
        target: `p99 < ${POPUP.targetP99Ms} ms`,
        measured: `p50 ${fmt(percentile(ms, 50), 0)} ms, p99 ${fmt(p99, 0)} ms`,
        met: p99 < POPUP.targetP99Ms && wrongSpelling === 0 && searches === 0 && queuedAtEnd > 0,
      }],
      notes: [
        `phone book of ${POPUP.contacts} contacts mirrored in ${fmt(mirrorS, 1)} s (${book.numbers} numbers, ${Math.ceil(POPUP.contacts / 100)} pages)`,
        `REST requests waiting when the calls began ${queuedAtStart}, when the last was sent ${queuedAtEnd}; REST searches by phone during the calls ${searches}; pop-ups with another spelling than Planfix's ${wrongSpelling}`,
        `max ${fmt(ms.at(-1)!, 0)} ms over ${ms.length} calls`,
      ],
    };
  } finally {
    await relay?.stop();
    await rm(dir, { recursive: true, force: true });
    await pf.close();
  }
}
