// Every adapter's parse against input built to crash it (issue 12, item 6): JSON nested thousands
// deep, a malformed percent-escape in a file URL, keys every object inherits. Each is a 400 with a
// reason or parses as data, never a RangeError or URIError (which the relay would answer 500).
import test from 'ava';
import type { ChannelConfig } from '../relay/core/account.ts';
import type { MessageEvent } from '../relay/core/events.ts';
import { escapeHtml } from '../relay/core/html.ts';
import { HttpError } from '../relay/errors.ts';
import type { InboundRequest } from '../relay/channels/channel.ts';
import { asRecord } from '../relay/channels/channel.ts';
import { adapters } from '../relay/channels/index.ts';
import { FieldReader, MAX_JSON_DEPTH, parseJsonBody, urlFileName } from '../relay/channels/read.ts';

function channel(kind: string, settings: Record<string, unknown> = {}): ChannelConfig {
  const adapter = adapters[kind]!;
  return { id: `ch-${kind}`, kind, name: kind, secret: 's', settings, options: asRecord(adapter.options.parse({})), createdAt: '2024-01-01T00:00:00.000Z' };
}

const req = (body: string): InboundRequest => ({ raw: Buffer.from(body), contentType: 'application/json', headers: {}, query: {} });
const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

/** For each kind, a body its parser would take, with `x` spliced in where the old code stringified or walked it. */
const BODIES: Record<string, (x: string) => string> = {
  // A message without an id is identified by a hash of its JSON.
  chatra: (x) => `{"eventName":"chatFragment","client":{"id":"c1"},"messages":[{"message":"hi","x":${x}}]}`,
  // A call without an id is identified by a hash of the whole body.
  ringostat: (x) => `{"caller":"380501112233","event":"call_start","x":${x}}`,
  verbox: (x) => `{"event":"message","clientId":"v1","text":"hi","x":${x}}`,
  viber: (x) => `{"event":"message","message_token":1,"sender":{"id":"u1"},"message":{"type":"text","text":"hi"},"x":${x}}`,
};
const SETTINGS: Record<string, Record<string, unknown>> = { viber: { authToken: 't', botName: 'bot' } };

for (const kind of Object.keys(BODIES)) {
  test(`${kind}: a body nested 100,000 deep is a 400 saying so, not a stack overflow`, (t) => {
    const err = t.throws(() => adapters[kind]!.parse(req(BODIES[kind]!(nest(100_000))), channel(kind, SETTINGS[kind])), { instanceOf: HttpError });
    t.is((err as HttpError).status, 400);
    t.regex(err!.message, /nests deeper than 64 levels/);
  });

  test(`${kind}: nesting up to the limit still parses`, (t) => {
    // The body's own object and its one level of "x" count too.
    const { events } = adapters[kind]!.parse(req(BODIES[kind]!(nest(MAX_JSON_DEPTH - 4))), channel(kind, SETTINGS[kind]));
    t.is(events.length, 1);
  });
}

test('parseJsonBody counts brackets inside strings as text, and escaped quotes as inside the string', (t) => {
  const inString = JSON.stringify({ s: '['.repeat(1000), q: `"${'{'.repeat(1000)}\\"` });
  t.is((parseJsonBody(Buffer.from(inString)).s as string).length, 1000);
  t.throws(() => parseJsonBody(Buffer.from(`{"a":"\\\\","b":${nest(MAX_JSON_DEPTH)}}`)), { instanceOf: HttpError, message: /nests deeper/ });
});

test('verbox: a file URL with a malformed percent-escape keeps its name as written (was URIError: URI malformed)', (t) => {
  const body = JSON.stringify({ event: 'message', clientId: 'v1', text: 'see file', files: [{ url: 'https://files.example.com/d/Invoice%E0%A4%A.pdf?x=1' }, 'https://files.example.com/d/%D0%90%D0%BA%D1%82.pdf', 'https://files.example.com/d/%'] });
  const ev = adapters.verbox!.parse(req(body), channel('verbox')).events[0] as MessageEvent;
  t.deepEqual(ev.attachments.map((a) => a.name), ['Invoice%E0%A4%A.pdf', 'Акт.pdf', '%']);
});

test('urlFileName: decoded when it decodes, as written when it does not, empty for a non-URL', (t) => {
  t.is(urlFileName('https://x.test/a/b%20c.pdf?download=1'), 'b c.pdf');
  t.is(urlFileName('https://x.test/a/%E0%A4%A'), '%E0%A4%A');
  t.is(urlFileName('https://x.test/'), '');
  t.is(urlFileName('not a url'), '');
});

test('FieldReader: a key mapped to a name every object inherits reads only what the body holds', (t) => {
  const r = new FieldReader<'text' | 'name'>({ name: 'Olga' }, { text: 'constructor', name: 'name' });
  t.is(r.raw('text'), undefined);
  const dotted = new FieldReader<'text'>({ client: {} }, { text: 'client.constructor.name' });
  t.is(dotted.raw('text'), undefined);
  t.is(new FieldReader<'text'>({ constructor: 'own' }, { text: 'constructor' }).str('text'), 'own');
});

test('adapters: a kind every object inherits is no adapter', (t) => {
  for (const kind of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) t.is(adapters[kind], undefined, kind);
  t.deepEqual(Object.keys(adapters).sort(), ['chatra', 'ringostat', 'verbox', 'viber']);
});

test('escapeHtml: markup, entities and both quotes', (t) => {
  t.is(escapeHtml(`<img src=x onerror="a('1')">&amp;`), '&#60;img src=x onerror=&#34;a(&#39;1&#39;)&#34;&#62;&#38;amp;');
  t.is(escapeHtml('Chrome 120'), 'Chrome 120');
});
