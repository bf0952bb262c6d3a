// Identity rules (docs/DESIGN.md, "Identity and threading"): E.164 phones, lower-cased e-mails, contact keys.
import test from 'ava';
import { contactKey, normalEmail, toE164, type IdentityIndex } from '../relay/core/identity.ts';

const RU_MOBILE = '+79051234567';
const UA_MOBILE = '+380671234567';

for (const raw of ['+7 905 123-45-67', '79051234567', '8 905 123-45-67', '8(905)1234567', ' +7 (905) 123 45 67 ']) {
  test(`toE164 RU: ${JSON.stringify(raw)}`, (t) => {
    t.is(toE164(raw, 'RU'), RU_MOBILE);
  });
}

for (const raw of ['+380 67 123 45 67', '380671234567', '067 123 45 67', '(067) 123-45-67']) {
  test(`toE164 UA: ${JSON.stringify(raw)}`, (t) => {
    t.is(toE164(raw, 'UA'), UA_MOBILE);
  });
}

test('toE164 takes the default country in any case', (t) => {
  t.is(toE164('8 905 123-45-67', 'ru'), RU_MOBILE);
  t.is(toE164('067 123 45 67', 'ua'), UA_MOBILE);
});

test('toE164 reads an international number written without "+" whatever the default country', (t) => {
  // Ringostat and Planfix send numbers as digits with the country code; the account may be elsewhere.
  t.is(toE164('380671234567', 'RU'), UA_MOBILE);
  t.is(toE164('79051234567', 'UA'), RU_MOBILE);
  t.is(toE164('+79051234567', 'UA'), RU_MOBILE);
  t.is(toE164('00380671234567', 'RU'), UA_MOBILE);
});

test('toE164: a national number of another country does not parse against the default', (t) => {
  // "067…" is a Ukrainian national form; in Russia it is no valid number.
  t.is(toE164('067 123 45 67', 'RU'), undefined);
});

for (const raw of ['abc', '123', '', '   ', '+', '+7 905', '12345678901234567890', undefined]) {
  test(`toE164 junk: ${JSON.stringify(raw)} → undefined`, (t) => {
    t.is(toE164(raw, 'RU'), undefined);
  });
}

test('normalEmail lower-cases and trims', (t) => {
  t.is(normalEmail('  Olga.Petrenko@Example.COM '), 'olga.petrenko@example.com');
  t.is(normalEmail('ivan@example.com'), 'ivan@example.com');
});

// Before the cap the pattern took time squared: 80 KB held the event loop for 2.7 s, 1 MB minutes
// (past ava's timeout). Every webhook's e-mail field reaches it, on the delivery path.
test('normalEmail: an address longer than SMTP carries is junk, and a 1 MB one is refused in one pass', (t) => {
  t.is(normalEmail(`${'a'.repeat(64)}@${'b'.repeat(185)}.com`), `${'a'.repeat(64)}@${'b'.repeat(185)}.com`);
  t.is(normalEmail(`${'a'.repeat(64)}@${'b'.repeat(186)}.com`), undefined);
  t.is(normalEmail(`a@${'b.'.repeat(500_000)} x`), undefined);
});

for (const raw of ['', '   ', 'olga', 'olga@', '@example.com', 'olga@example', 'ol ga@example.com', 'a@b@c', 'ol\u0000ga@example.com', 'olga@exa\u0007mple.com', undefined]) {
  test(`normalEmail junk: ${JSON.stringify(raw)} → undefined`, (t) => {
    t.is(normalEmail(raw), undefined);
  });
}

/** An index backed by plain maps. */
function index(entries: { clients?: Record<string, string>; phones?: Record<string, string>; emails?: Record<string, string> } = {}): IdentityIndex {
  return {
    byClient: (c) => entries.clients?.[c],
    byPhone: (p) => entries.phones?.[p],
    byEmail: (e) => entries.emails?.[e],
  };
}

test('contactKey: a new customer is keyed by phone, else e-mail, else provider client', (t) => {
  const empty = index();
  t.is(contactKey(empty, { client: 'ch1/v1', phone: RU_MOBILE, email: 'olga@example.com' }), RU_MOBILE);
  t.is(contactKey(empty, { client: 'ch1/v1', email: 'olga@example.com' }), 'olga@example.com');
  t.is(contactKey(empty, { client: 'ch1/v1' }), 'ch1/v1');
});

test('contactKey: a bound provider client keeps its key even when its phone or e-mail belong to others', (t) => {
  const idx = index({
    clients: { 'ch1/v1': 'ch1/v1' },
    phones: { [RU_MOBILE]: RU_MOBILE },
    emails: { 'olga@example.com': 'olga@example.com' },
  });
  t.is(contactKey(idx, { client: 'ch1/v1', phone: RU_MOBILE, email: 'olga@example.com' }), 'ch1/v1');
});

test('contactKey: a new client whose phone is known joins that customer', (t) => {
  const idx = index({ phones: { [RU_MOBILE]: 'olga@example.com' } });
  t.is(contactKey(idx, { client: 'viber1/u-77', phone: RU_MOBILE }), 'olga@example.com');
  // The phone wins over an e-mail known for someone else.
  const both = index({ phones: { [RU_MOBILE]: 'key-by-phone' }, emails: { 'olga@example.com': 'key-by-email' } });
  t.is(contactKey(both, { client: 'viber1/u-77', phone: RU_MOBILE, email: 'olga@example.com' }), 'key-by-phone');
});

test('contactKey: a new client whose e-mail is known joins that customer', (t) => {
  const idx = index({ emails: { 'olga@example.com': RU_MOBILE } });
  // Another device: a different phone nobody knows, but the known e-mail.
  t.is(contactKey(idx, { client: 'ch1/v2', phone: UA_MOBILE, email: 'olga@example.com' }), RU_MOBILE);
  t.is(contactKey(idx, { client: 'ch1/v2', email: 'olga@example.com' }), RU_MOBILE);
});

test('contactKey: an unknown phone with a known client of another channel does not matter', (t) => {
  const idx = index({ clients: { 'ch1/v1': 'ch1/v1' } });
  t.is(contactKey(idx, { client: 'ch2/v1', phone: UA_MOBILE }), UA_MOBILE);
});
