// How the admin page's Planfix lists are read (relay/planfix/choices.ts): bounded paging, the
// shapes Planfix may answer, and the cap, the last against the simulator over loopback.
import test from 'ava';
import { OutboundPolicy } from '../relay/net/outbound.ts';
import { allPages, choiceAnswers, readChoices, userChoice } from '../relay/planfix/choices.ts';
import { read } from '../relay/planfix/rest-answers.ts';
import { RestApi, RestError } from '../relay/planfix/rest.ts';
import { planfixAccount } from './helpers/planfix-account.ts';

const full = (from: number) => Array.from({ length: 100 }, (_, i) => ({ id: from + i }));

test('allPages reads until a short page, and stops at once where a server ignores offset', async (t) => {
  const asked: number[] = [];
  const r = await allPages(async (offset) => { asked.push(offset); return offset < 200 ? full(offset + 1) : [{ id: 201 }]; }, 2000);
  t.is(r.items.length, 201);
  t.false(r.truncated);
  t.deepEqual(asked, [0, 100, 200]);

  const same: number[] = [];
  const stuck = await allPages(async (offset) => { same.push(offset); return full(1); }, 2000);
  t.is(stuck.items.length, 100);
  t.deepEqual(same, [0, 100], 'the page that brought nothing new ended it');
});

test('allPages stops at the cap and says the list is cut; items without an id are skipped', async (t) => {
  const r = await allPages(async (offset) => full(offset + 1), 250);
  t.is(r.items.length, 250);
  t.true(r.truncated);
  const odd = await allPages(async () => [{ id: Number.NaN }, { id: 0 }, { id: 7 }, { id: 7 }], 2000);
  t.deepEqual(odd.items, [{ id: 7 }]);
});

test('users: prefixed ids, names in parts, a missing e-mail or name; an odd shape is a REST error', (t) => {
  const { users } = read(choiceAnswers.users, { users: [
    { id: 'user:5', name: 'Ivan', lastname: 'Petrov', email: 'ivan@acme.test' },
    { id: 6, name: 'Olga', lastname: null },
    { id: 7, email: 'robot@acme.test' },
  ] }, '/user/list');
  t.deepEqual(users.map(userChoice), [
    { id: 5, name: 'Ivan Petrov', email: 'ivan@acme.test', firstName: 'Ivan', lastName: 'Petrov' },
    { id: 6, name: 'Olga', firstName: 'Olga' },
    { id: 7, name: 'robot@acme.test', email: 'robot@acme.test' },
  ]);
  t.throws(() => read(choiceAnswers.users, { users: [{ id: { n: 1 } }] }, '/user/list'), { instanceOf: RestError });
  t.deepEqual(read(choiceAnswers.templates, { result: 'success' }, '/task/templates').templates, [], 'no list: none');
});

test('readChoices against the simulator: employees beyond the cap are cut, and the answer says so', async (t) => {
  const { sim, account } = await planfixAccount(t);
  for (let i = 0; i < 120; i++) sim.addEmployee({ email: `e${i}@acme.test`, name: `E${i}` });
  // Requests 100 ms apart: the cut is the subject, not Planfix's pace of one a second.
  const rest = new RestApi(new OutboundPolicy(['127.0.0.1']), 3000, 100);
  t.teardown(() => rest.stop());
  const withToken = { ...account, planfix: { ...account.planfix, restToken: 'pf-rest-token' } };
  const cut = await readChoices(rest, withToken, 'users', 100);
  t.true('items' in cut && cut.items.length === 100 && cut.truncated === true);
  t.is(sim.restCalls.length, 1, 'one page was enough to know');
  const whole = await readChoices(rest, withToken, 'users');
  t.true('items' in whole && whole.items.length === 122 && whole.truncated === undefined);
});
