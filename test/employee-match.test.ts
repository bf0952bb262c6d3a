// Which Planfix employee a row of an employee table means, and what the page offers to fill in
// (admin-ui/employee-match.ts).
import test from 'ava';
import { fills, matchUser, sameName } from '../admin-ui/employee-match.ts';
import type { Choice } from '../relay/core/picker.ts';

const ivan: Choice = { id: 5, name: 'Ivan Petrov', firstName: 'Ivan', lastName: 'Petrov', email: 'ivan@acme.test' };
const alena: Choice = { id: 6, name: 'Алёна Коваль', firstName: 'Алёна', lastName: 'Коваль', email: 'alena@acme.test' };
const users = [ivan, alena, { id: 7, name: 'Robot', firstName: 'Robot' }];

test('names match without case or extra spaces, either name first, ё as е', (t) => {
  t.true(sameName('ivan petrov', ivan));
  t.true(sameName('  PETROV   Ivan ', ivan));
  t.true(sameName('Коваль Алена', alena));
  t.false(sameName('Ivan', ivan));
  t.false(sameName('Ivan Petrova', ivan));
  t.false(sameName('', ivan));
});

test('a typed e-mail finds its employee before a name does; two that fit equally find none', (t) => {
  t.is(matchUser(users, [{ value: 'name', typed: 'Alena Koval' }, { value: 'email', typed: 'IVAN@acme.test ' }]), ivan);
  t.is(matchUser(users, [{ value: 'name', typed: 'petrov ivan' }, { value: 'email', typed: '' }]), ivan);
  t.is(matchUser(users, [{ value: 'email', typed: 'nobody@acme.test' }]), undefined);
  const twins = [ivan, { ...ivan, id: 9, email: 'ivan2@acme.test' }];
  t.is(matchUser(twins, [{ value: 'name', typed: 'Ivan Petrov' }]), undefined);
});

test('accepting fills empty cells and Planfix\'s spelling of a name, and leaves what the admin typed otherwise', (t) => {
  t.deepEqual(fills(ivan, [{ value: 'name', typed: '' }, { value: 'email', typed: 'ivan@acme.test' }]), ['Ivan Petrov', undefined]);
  t.deepEqual(fills(ivan, [{ value: 'name', typed: 'petrov ivan' }, { value: 'email', typed: '' }]), ['Ivan Petrov', 'ivan@acme.test']);
  t.deepEqual(fills(ivan, [{ value: 'name', typed: 'Ivan Petrov' }, { value: 'email', typed: 'agent@chatra.test' }]), [undefined, undefined]);
  t.deepEqual(fills({ id: 7, name: 'Robot' }, [{ value: 'email', typed: '' }]), [undefined], 'no e-mail to offer');
});
