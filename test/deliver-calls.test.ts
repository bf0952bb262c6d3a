// relay/delivery/deliver.ts with a call: the plan ends where Planfix must answer (the number's
// contact, the contact's active task), the rest is planned from the answer and journaled with that
// op's step, so a restart resumes the decided ops and never asks or decides again. On a real
// SqliteStore; Planfix is the simulator.
import test, { type ExecutionContext } from 'ava';
import type { Account, ChannelConfig } from '../relay/core/account.ts';
import type { CallEvent } from '../relay/core/events.ts';
import type { Op } from '../relay/core/plan.ts';
import { ringostat } from '../relay/channels/ringostat/adapter.ts';
import { deliver } from '../relay/delivery/deliver.ts';
import { SqliteStore } from '../relay/store/sqlite/store.ts';
import type { Entry } from '../relay/store/store.ts';
import { deliverDeps } from './helpers/deliver-deps.ts';
import { planfixAccount } from './helpers/planfix-account.ts';
import { Stores } from './helpers/store.ts';

async function world(t: ExecutionContext) {
  const { sim, account: base } = await planfixAccount(t);
  const calls: ChannelConfig = {
    id: 'rs1', kind: 'ringostat', name: 'Calls', secret: 'r'.repeat(32), settings: { authKey: 'rs-key-0123456789' },
    options: ringostat.options.parse({ employees: [{ id: '101', ext: '11', name: 'Ivan' }] }), createdAt: new Date().toISOString(),
  };
  const account: Account = {
    ...base, planfix: { ...base.planfix, restToken: 'pf-rest-token', telephonyToken: sim.telephonyToken }, channels: [...base.channels, calls],
  };
  const stores = await Stores.in(t, (dir) => new SqliteStore(dir));
  const store = await stores.open();
  const deps = deliverDeps(store.journal);
  const add = async (moment: CallEvent['moment'] = 'completed'): Promise<Entry> => {
    const event: CallEvent = {
      kind: 'call', eventId: `c1-${moment}`, callId: 'c1', moment, direction: 'in', at: Date.now(), employee: '101', durationSec: 42,
      outcome: moment === 'completed' ? 'answered' : undefined, customer: { clientId: '+79051234567', phone: '+79051234567' },
    };
    const [e] = await store.journal.add([{ id: `rs1:${event.eventId}`, account: 'acc1', channel: 'rs1', key: 'rs1:c1', at: Date.now(), event }]);
    return e!;
  };
  return { sim, account, store, stores, deps, add };
}

test('a call from a number Planfix holds: asked, then planned from the answers; the plan on disk carries them', async (t) => {
  const w = await world(t);
  const contact = w.sim.addContact({ name: 'Olga', phones: ['8 (905) 123-45-67'] });
  const task = w.sim.addTask({ contactNumber: contact.number, name: 'Order' });
  const entry = await w.add();
  await deliver(entry, w.account, w.store.state('acc1'), w.deps);

  t.deepEqual(entry.plan?.map((op) => op.do), ['findContact', 'telephony', 'findActiveTask', 'noteCall', 'taskComment', 'noteCall']);
  const events = w.sim.telephonyEvents.filter((e) => e.callid === 'c1');
  t.like(events, [{ event: 'COMPLETED', phone: '8 (905) 123-45-67', ext: '11' }], 'the pop-up carries the number as Planfix spells it');
  t.is(events.length, 1);
  t.is(task.comments.length, 1, 'the comment is on the active task, once');
  t.like(await w.store.state('acc1').call('c1'), { contactKey: `pf:${contact.number}`, taskNumber: task.number, attached: true });

  // What was decided is on disk: the journal read again holds the plan with Planfix's answers in it.
  const journal = (await w.stores.reopen(w.store)).journal;
  const again = journal.pending.get('rs1:c1-completed')!;
  t.like(again.plan, [{ do: 'findContact' }, { do: 'telephony', params: { phone: '8 (905) 123-45-67' } }, { do: 'findActiveTask', contactId: contact.number }, { do: 'noteCall', facts: { taskNumber: task.number } }]);
});

test('a new number: the contact is created once, and the new task carries the call', async (t) => {
  const w = await world(t);
  const entry = await w.add();
  await deliver(entry, w.account, w.store.state('acc1'), w.deps);
  t.deepEqual(entry.plan?.map((op) => op.do), ['findContact', 'createContact', 'telephony', 'findActiveTask', 'createTask', 'noteCall']);
  const made = w.sim.contactsWithPhone('+79051234567');
  t.is(made.length, 1);
  const task = w.sim.tasks.find((x) => x.counterparty?.contactNumber === made[0]!.number);
  t.truthy(task, 'a task on the new contact');
  t.like(await w.store.state('acc1').call('c1'), { taskNumber: task!.number, attached: true });
});

test('a call journaled with the earlier ops (no data in them) is planned again and lands once', async (t) => {
  const w = await world(t);
  const contact = w.sim.addContact({ name: 'Olga', phones: ['+79051234567'] });
  const entry = await w.add();
  // As a relay before the call planner wrote it: bare op names, the contact op done.
  const legacy = JSON.parse('[{"do":"callContact"},{"do":"telephony","event":"COMPLETED"},{"do":"callAttach"}]') as Op[];
  await w.store.journal.setPlan(entry, legacy);
  await w.store.journal.setStep(entry, 1);
  await deliver(entry, w.account, w.store.state('acc1'), w.deps);
  t.is(entry.plan?.[0]?.do, 'findContact');
  t.is(w.sim.telephonyEvents.filter((e) => e.callid === 'c1' && e.event === 'COMPLETED').length, 1);
  const task = w.sim.tasks.find((x) => x.counterparty?.contactNumber === contact.number);
  t.truthy(task);
});
