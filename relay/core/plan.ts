import { createHash } from 'node:crypto';
import type { FieldKey } from './account.ts';
import type { CallOp } from './call-plan.ts';
import type { CallEvent, Customer, CustomerEvent, MessageEvent, RelayEvent, Visit } from './events.ts';
import { formatTime, type Locale } from './locale.ts';
import { contentText, textsOf } from './planfix-texts.ts';
import { visitAction, visitSummary } from './summary.ts';

type Form = Record<string, string | boolean | { name: string; url: string }[] | undefined>;

/** A conversation's task fields as last sent: field name → a short hash of the value; recorded once the message is delivered. */
export interface FieldsSent {
  chatId: string;
  sent: Record<string, string>;
}

/** One step of delivering an event. Plans are data: they are journaled and resumed step by step. */
export type Op =
  | { do: 'newMessage'; params: Form; contactKey: string; fingerprint: string; fields?: FieldsSent }
  | { do: 'updateContact'; params: Form; contactKey: string; fingerprint: string }
  | { do: 'learnTask'; chatId: string }
  /** `description` is plain text: it is escaped where it is written into Planfix as HTML. */
  | { do: 'visitComment'; contactId: string; description: string }
  | { do: 'completeTask'; chatId: string }
  | { do: 'send' }
  | { do: 'messageStatus'; messageId: string; status: 'sent' | 'read' | 'error'; text?: string }
  | CallOp;

/** What the planner may know of the world; it reads nothing else and does no I/O. */
export interface PlanContext {
  channel: { id: string; title: string; name: string; options: Record<string, unknown> };
  chatId: string;
  contactKey: string;
  /** Everything known of the customer, merged across devices and channels. */
  customer: Omit<Customer, 'clientId'>;
  /** Fingerprint of the contact as last sent to Planfix; undefined if never sent. */
  contactSent?: string;
  /** The next message opens a Planfix task. */
  fresh: boolean;
  /**
   * The conversation's visit as the state holds it, for a message that opens a task without
   * carrying the visit: a webhook's visit travels on its first event only (core/bounds.ts).
   */
  storedVisit?: Visit;
  /** Task fields as last sent for the conversation's current task (field name → value hash). */
  fieldsSent?: Record<string, string>;
  hasRest: boolean;
  fieldName(key: FieldKey): string | undefined;
  /** The language and time zone of every text the relay writes into this account's Planfix. */
  locale: Locale;
  /** For a status event: the Planfix message it is about, and the last status Planfix got for it. */
  outbound?: { messageId: string; status?: 'sent' | 'read' | 'error' };
}

const STATUS_RANK = { sent: 1, read: 2, error: 3 } as const;

/** `visitor` is the name a customer who gave none gets, in the account's language. */
export function contactParams(chatContactId: string, c: PlanContext['customer'], visitor: string): { params: Form; fingerprint: string } {
  let name = c.name?.trim() || c.displayName?.trim() || visitor;
  let lastName = c.lastName?.trim();
  if (!lastName && c.name && name.includes(' ')) {
    const i = name.indexOf(' ');
    lastName = name.slice(i + 1).trim();
    name = name.slice(0, i);
  }
  // Adapters keep only http(s) avatars; one stored before they did (`javascript:…`) is not sent either.
  const avatar = c.avatar && /^https?:\/\//i.test(c.avatar) ? c.avatar : undefined;
  const params: Form = {
    contactId: chatContactId, contactName: name, contactLastName: lastName, contactEmail: c.email, contactPhone: c.phone, contactIco: avatar,
  };
  return { params, fingerprint: JSON.stringify([name, lastName, c.email, c.phone, avatar]) };
}

/** Short: it is kept per conversation and only has to tell a changed value from the one sent. */
function valueHash(v: string): string {
  return createHash('sha256').update(v).digest('base64url').slice(0, 12);
}

/**
 * Task fields go with the message that opens a task, and later only when a value changed: sent
 * with every message they would undo what an employee edited in the task.
 */
function taskFields(visit: Visit | undefined, ctx: PlanContext): { params: Form; fields?: FieldsSent } {
  const all = dataFields(visit, ctx.fieldName);
  const known = ctx.fresh ? {} : ctx.fieldsSent ?? {};
  const params: Form = {};
  const sent = { ...known };
  for (const [k, v] of Object.entries(all)) {
    if (typeof v !== 'string') continue;
    const name = k.slice('data_'.length);
    const h = valueHash(v);
    if (known[name] === h) continue;
    params[k] = v;
    sent[name] = h;
  }
  // An opening message records even an empty set: what the previous task got is no longer known.
  return { params, fields: ctx.fresh || Object.keys(params).length ? { chatId: ctx.chatId, sent } : undefined };
}

function dataFields(visit: Visit | undefined, fieldName: PlanContext['fieldName']): Form {
  const out: Form = {};
  if (!visit) return out;
  const values: Partial<Record<FieldKey, string | undefined>> = {
    ...visit.utm, city: visit.city, country: visit.country, ip: visit.ip, browser: visit.browser, os: visit.os,
    device: visit.device, referrer: visit.referrer, landing: visit.landing, pages: visit.pages?.map((p) => p.url).join('\n'),
  };
  for (const [k, v] of Object.entries(values) as [FieldKey, string | undefined][]) {
    const name = fieldName(k);
    // Never send an empty value: it must not overwrite what an earlier visit filled in.
    if (name && v) out[`data_${name}`] = v;
  }
  return out;
}

function messageText(event: MessageEvent, locale: Locale): string {
  const t = textsOf(locale.language);
  const d = event.dates ?? {};
  const dates = ([[d.started, t.started], [d.ended, t.ended], [d.postponedUntil, t.postponedUntil]] as const)
    .flatMap(([ms, label]) => (ms ? [`${label}: ${formatTime(ms, locale)}`] : [])).join('\n');
  const words = event.text.trim() ? event.text : event.attachments.map((a) => `📎 ${a.name}`).join('\n');
  const body = [event.content && contentText(event.content, t), words].filter(Boolean).join('\n');
  return [body, dates].filter(Boolean).join('\n\n') || t.emptyMessage;
}

/** The Planfix operations that deliver one event. Pure: the same inputs give the same plan. */
export function plan(event: Exclude<RelayEvent, CallEvent>, ctx: PlanContext): Op[] {
  switch (event.kind) {
    case 'reply':
      return [{ do: 'send' }, { do: 'messageStatus', messageId: event.messageId, status: 'sent' }];
    case 'end':
      return ctx.hasRest && ctx.channel.options.closeTaskOnChatEnd !== false ? [{ do: 'completeTask', chatId: ctx.chatId }] : [];
    case 'customer':
      return [...contactUpdate(ctx), ...visitOps(event, ctx)];
    case 'status': {
      // Each Planfix message gets at most one "sent" and then one "read" or "error", never backwards.
      const o = ctx.outbound;
      if (!o || (o.status && STATUS_RANK[o.status] >= STATUS_RANK[event.status])) return [];
      const text = event.status === 'error' ? event.text ?? textsOf(ctx.locale.language).notDelivered : event.text;
      return [{ do: 'messageStatus', messageId: o.messageId, status: event.status, text }];
    }
    case 'message': {
      const contact = contactParams(ctx.contactKey, ctx.customer, textsOf(ctx.locale.language).visitor);
      const opens = ctx.fresh || event.newVisit;
      const visit = event.visit ?? (opens ? ctx.storedVisit : undefined);
      const summary = opens ? visitSummary(visit, ctx.channel.title, ctx.locale) : '';
      const text = messageText(event, ctx.locale);
      const fields = taskFields(visit, ctx);
      const params: Form = {
        chatId: ctx.chatId,
        channel: ctx.channel.id,
        ...contact.params,
        contactData: ctx.fresh ? contactData(visit, ctx.channel.title, ctx.locale) : undefined,
        title: !ctx.fresh ? undefined : event.title ? event.title.slice(0, 250) : `${ctx.channel.name}: ${[contact.params.contactName, contact.params.contactLastName].filter(Boolean).join(' ')}`,
        message: summary ? `${text}\n\n${summary}` : text,
        attachments: event.attachments.length ? event.attachments : undefined,
        ...(event.echo ? { isEcho: true, userEmail: event.echo.email } : {}),
        ...fields.params,
      };
      return [
        ...contactUpdate(ctx),
        { do: 'newMessage', params, contactKey: ctx.contactKey, fingerprint: contact.fingerprint, ...(fields.fields ? { fields: fields.fields } : {}) },
        // After every message: Planfix opens a new task on its own when an employee closed the
        // last one, and that task must be known (widget) and get the task fields.
        { do: 'learnTask', chatId: ctx.chatId },
        ...visitOps(event, ctx),
      ];
    }
  }
}

/** Planfix keeps the details it got when it created the contact; a change needs updateContact. */
function contactUpdate(ctx: PlanContext): Op[] {
  const { params, fingerprint } = contactParams(ctx.contactKey, ctx.customer, textsOf(ctx.locale.language).visitor);
  if (!ctx.contactSent || ctx.contactSent === fingerprint) return [];
  return [{ do: 'updateContact', params, contactKey: ctx.contactKey, fingerprint }];
}

function visitOps(event: MessageEvent | CustomerEvent, ctx: PlanContext): Op[] {
  if (!event.newVisit || !ctx.hasRest) return [];
  const description = visitAction(event.visit, ctx.channel.title, ctx.locale);
  return description ? [{ do: 'visitComment', contactId: ctx.contactKey, description }] : [];
}

function contactData(visit: Visit | undefined, title: string, locale: Locale): string | undefined {
  const place = [visit?.city, visit?.country].filter(Boolean).join(', ');
  return `${textsOf(locale.language).channelVisitor(title)}${place ? `, ${place}` : ''}`;
}
