// What the admin page shows of each channel is declared by the channel: every settings and options
// key has a label and a line of help in each language of the page, every warning code and webhook
// URL it can give has words, and the Russian and Ukrainian ones are written in those languages.
import test from 'ava';
import { z } from 'zod';
import { adapters } from '../relay/channels/index.ts';
import { echo } from './channels/echo/adapter.ts';
import { SETUP_WARNINGS } from '../relay/core/setup-warnings.ts';
import type { FieldText } from '../relay/core/ui-text.ts';
import { checkLanguages } from './helpers/languages.ts';
import type { ChannelAdapter } from '../relay/channels/channel.ts';
import { columnIds, tableShape } from '../admin-ui/table-shape.ts';
import type { JsonSchema } from '../admin-ui/forms.ts';

const propsOf = (schema: z.ZodType) => (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema> }).properties ?? {};
const keysOf = (schema: z.ZodType) => Object.keys(propsOf(schema));

function checkField(t: import('ava').ExecutionContext, where: string, f: FieldText | undefined) {
  if (!f) return t.fail(`${where}: no label and help`);
  checkLanguages(t, `${where} label`, { ru: f.ru.label, uk: f.uk.label, en: f.en.label });
  checkLanguages(t, `${where} help`, { ru: f.ru.help, uk: f.uk.help, en: f.en.help });
  for (const [value, words] of Object.entries(f.choices ?? {})) checkLanguages(t, `${where} = ${value}`, words);
}

const channels: ChannelAdapter[] = [...Object.values(adapters), echo];

for (const a of channels) {
  test(`every settings and options key of ${a.kind} has a label and help in Russian, Ukrainian and English`, (t) => {
    const keys = [...keysOf(a.settings), ...keysOf(a.options)];
    t.true(keys.length > 0);
    for (const k of keys) checkField(t, `${a.kind}.${k}`, a.texts?.fields[k]);
    // Words for a key the channel no longer has would hide that a renamed one lost its own.
    t.deepEqual(Object.keys(a.texts?.fields ?? {}).filter((k) => !keys.includes(k)), [], 'texts for keys the channel does not have');
    // A map or list the page draws as a table: each column it draws has its heading and help, and no other.
    for (const [k, schema] of Object.entries({ ...propsOf(a.settings), ...propsOf(a.options) })) {
      const shape = tableShape(schema);
      const columns = shape ? columnIds(shape) : [];
      for (const c of columns) checkField(t, `${a.kind}.${k} column ${c}`, a.texts?.fields[k]?.columns?.[c]);
      t.deepEqual(Object.keys(a.texts?.fields[k]?.columns ?? {}).filter((c) => !columns.includes(c)), [], `${a.kind}.${k}: texts for columns the table does not have`);
    }
    for (const [id, w] of Object.entries(a.texts?.webhooks ?? {})) checkField(t, `${a.kind} webhook ${id}`, w);
    for (const [code, w] of Object.entries(a.texts?.warnings ?? {})) checkLanguages(t, `${a.kind} warning ${code}`, w);
    if (a.texts?.card) checkLanguages(t, `${a.kind} card`, a.texts.card);
  });
}

test('each choice of a fixed set of values has its plain name', (t) => {
  for (const a of channels) {
    const props = { ...(z.toJSONSchema(a.settings, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { enum?: string[] }> }).properties,
      ...(z.toJSONSchema(a.options, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { enum?: string[] }> }).properties };
    for (const [k, s] of Object.entries(props)) {
      for (const v of s.enum ?? []) t.truthy(a.texts?.fields[k]?.choices?.[v], `${a.kind}.${k} = ${v}`);
    }
  }
});

test('every channel gives only warning codes it has words for, and only webhook URLs it names', (t) => {
  const account = { id: 'a', name: 'A', defaultCountry: 'RU', planfix: { url: 'https://a.planfix.ru', chatToken: 'c' }, callback: { chatToken: 'x', telephonyToken: 'y' }, widget: { key: 'w' }, channels: [], createdAt: '' };
  for (const a of channels) {
    // An empty channel is the one with most left to set up: every warning it can give at once.
    const settings = a.settings.safeParse({}).success ? a.settings.parse({}) : {};
    const c = { id: 'c', kind: a.kind, name: 'n', secret: 's', settings: settings as Record<string, unknown>, options: a.options.parse({}) as Record<string, unknown>, createdAt: '' };
    for (const w of a.warnings?.(c, account) ?? []) t.truthy(a.texts?.warnings?.[w.code], `${a.kind} warning ${w.code} has no words`);
    for (const w of a.webhooks?.(c) ?? []) t.truthy(a.texts?.webhooks?.[w.id], `${a.kind} webhook ${w.id} has no words`);
  }
  t.is(adapters.ringostat!.webhooks!({ id: 'c', kind: 'ringostat', name: 'n', secret: 's', settings: {}, options: {}, createdAt: '' }).length, 4);
});

test('the relay\'s own setup warnings are worded in every language', (t) => {
  for (const [code, w] of Object.entries(SETUP_WARNINGS)) checkLanguages(t, code, w);
});
