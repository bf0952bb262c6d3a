// Errors reach the log with their stack (pino's error serializer), and what the relay's logger
// options add to it keeps secrets out: an error's message and stack may quote what its thrower
// was given or answered (a provider echoing the webhook URL it was set to, a form with
// planfix_token), and an error's own fields may hold a body or headers.
import { Writable } from 'node:stream';
import test from 'ava';
import { pino } from 'pino';
import { loggerOptions } from '../relay/log.ts';

function capture() {
  const lines: string[] = [];
  const log = pino(loggerOptions('debug'), new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }));
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

const SECRETS = {
  hook: 'HookS3cr3tHookS3cr3tHookS3cr3t01',
  form: 'FormT0kenFormT0kenFormT0ken0002',
  bearer: 'B3arerB3arerB3arerB3arerB3arer03',
  json: 'Js0nT0kenJs0nT0kenJs0nT0ken0004',
  cred: 'Pa55wordPa55wordPa55word0005',
  widget: 'W1dgetKeyW1dgetKeyW1dgetKey0006',
  cause: 'CauseS3cr3tCauseS3cr3tCause007',
  field: 'F1eldS3cr3tF1eldS3cr3tF1eld008',
};

test('an error is logged with its type, stack and status, and no secret its text or fields quote', (t) => {
  const { log, lines, parsed } = capture();
  const err = Object.assign(new Error([
    `Viber set_webhook failed: status 1 Result[HttpRequest[POST /hooks/ch1/${SECRETS.hook} HTTP/1.1]]`,
    `sent cmd=newMessage&planfix_token=${SECRETS.form}&chatId=1`,
    `with Authorization: Bearer ${SECRETS.bearer}`,
    `answered {"authToken":"${SECRETS.json}"}`,
    `from https://relay:${SECRETS.cred}@example.com/x`,
    `for /widget/acc.user.js?key=${SECRETS.widget}`,
  ].join('; '), { cause: new Error(`inner: https://relay.example/hooks/ch2/${SECRETS.cause}`) }), {
    status: 400,
    body: { planfix_token: SECRETS.field },
    headers: { 'x-auth': SECRETS.field },
  });
  log.warn({ account: 'a1', err }, 'something failed');
  const [line] = parsed();
  t.is(line!.err.type, 'Error');
  t.is(line!.err.status, 400);
  t.regex(line!.err.stack, /^Error: Viber set_webhook failed/);
  t.regex(line!.err.stack, /\n {4}at .*error-log\.test\.ts/, 'the stack says where');
  t.regex(line!.err.stack, /caused by: Error: inner/);
  t.regex(line!.err.message, /\/hooks\/ch1\/…/, 'the URL is still told, without its secret');
  for (const [name, secret] of Object.entries(SECRETS)) t.false(lines.join('').includes(secret), `${name} secret not in the log`);
});

test('a thrown value that is not an Error is logged as text, scrubbed too', (t) => {
  const { log, lines } = capture();
  log.error({ err: `refused: https://relay.example/hooks/ch1/${SECRETS.hook}` }, 'rejected');
  log.error({ err: { answer: { token: SECRETS.json } } }, 'rejected');
  t.is(lines.length, 2);
  t.regex(lines[0]!, /hooks\/ch1\/…/);
  t.false(lines.join('').includes(SECRETS.hook));
  t.false(lines.join('').includes(SECRETS.json));
});
