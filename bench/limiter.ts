// Figure 6, REST limiter: a backlog of 60 Planfix REST operations for one account, made by 60
// Ringostat call_end webhooks sent at once (callTarget "contact", numbers the relay already knows:
// each call is one REST request, the comment on the contact). The rate is read from the Planfix
// simulator's record of REST requests (`restCalls`, the time each was answered): (n - 1) requests
// over the span from the first to the last, and the most that fell within any one second.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import { PlanfixSim } from '../test/sim/planfix.ts';
import { fmt, RelayProc, tempDir, waitFor, type FigureResult } from './lib.ts';

export const LIMITER = { operations: 60 };

export async function limiter(): Promise<FigureResult> {
  const pf = await PlanfixSim.start();
  const dir = await tempDir('limiter');
  const setup = await RelayProc.start(dir);
  let relay: RelayProc | undefined;
  try {
    const account = await setup.api('POST', '/api/accounts', {
      name: 'Acme', defaultCountry: 'UA', planfix: { url: pf.origin, chatToken: 'pf-chat-token', restToken: 'pf-rest-token' },
    });
    if (account.status !== 201) throw new Error(`account: ${JSON.stringify(account.body)}`);
    const channel = await setup.api('POST', `/api/accounts/${account.body.id}/channels`, {
      kind: 'ringostat', name: 'Calls', settings: { apiUrl: 'http://127.0.0.1:9' }, options: { callTarget: 'contact' },
    });
    if (channel.status !== 201) throw new Error(`channel: ${JSON.stringify(channel.body)}`);
    await setup.stop();

    // Numbers the relay already knows: the contacts are in Planfix, and the relay's state holds
    // number -> contact (the record the relay writes after finding a contact by REST).
    const phones = Array.from({ length: LIMITER.operations }, (_, i) => `+38067${String(2_000_000 + i).slice(-7)}`);
    const store = new SqliteStore(dir);
    const state = store.state(account.body.id);
    for (const [i, phone] of phones.entries()) {
      const contact = pf.addContact({ name: `Caller ${i}`, phones: [phone] });
      await state.putPlanfixContact(phone, { id: contact.number, phone });
    }
    await store.close();

    relay = await RelayProc.start(dir);
    const url = relay.local(`${channel.body.webhookUrl}?event=call_end`);
    const answers = await Promise.all(phones.map((phone, i) => fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uniqueid: `bench-call-${i}`, calldate: new Date().toISOString(), call_type: 'in', caller: phone.slice(1), dst: '380443334455', disposition: 'ANSWERED', billsec: 30 + i }),
    })));
    if (answers.some((a) => a.status !== 200)) throw new Error(`webhooks: ${answers.map((a) => a.status).join(',')}`);
    await waitFor(() => pf.restCalls.length >= LIMITER.operations, 120_000, `${LIMITER.operations} REST requests`, 100);
    await relay.drained(10_000);

    const times = pf.restCalls.map((c) => c.at).sort((a, b) => a - b);
    const span = (times.at(-1)! - times[0]!) / 1000;
    const rate = (times.length - 1) / span;
    const peak = pf.peakRestCalls(1000);
    let minGap = Infinity;
    for (let i = 1; i < times.length; i++) minGap = Math.min(minGap, times[i]! - times[i - 1]!);
    const failed = pf.restCalls.filter((c) => c.status >= 400).length;
    return {
      rows: [{
        figure: '6 REST limiter: rate with a backlog of 60',
        target: '0.9-1.0 req/s, never above',
        measured: `${fmt(rate, 3)} req/s (max ${peak} in any 1 s)`,
        met: rate >= 0.9 && rate <= 1.0 && peak <= 1 && times.length === LIMITER.operations && failed === 0,
      }],
      notes: [`${times.length} REST requests (${failed} refused) in ${fmt(span, 1)} s; smallest gap between two ${minGap} ms; ${pf.contactComments.length} call comments on contacts`],
    };
  } finally {
    await relay?.stop();
    await setup.stop();
    await rm(dir, { recursive: true, force: true });
    await pf.close();
  }
}
