// What landed in the simulated Planfix, as a person would look for it: each task with its
// contact, its conversation and the contact's calls. The demo's "Planfix" page and its task
// pages draw from this, so they show what the relay really wrote, not a fixed text.
import type { SimAuthor, SimCall, SimContact, SimEmployee, SimTask } from './state.ts';

export interface LandedMessage {
  author: string;
  fromCustomer: boolean;
  /** Planfix comments are HTML; this is their text, lines kept. */
  text: string;
  at: number;
}

export interface LandedCall {
  callid: string;
  type: 'in' | 'out';
  phone: string;
  outcome: string;
  duration?: number;
  recordLink?: string;
  at: number;
}

export interface LandedTask {
  number: number;
  name: string;
  active: boolean;
  contact?: { number: number; name: string; phones: string[]; email: string };
  messages: LandedMessage[];
  calls: LandedCall[];
}

/** The parts of PlanfixSim this reads; the live arrays, so a page drawn later shows more. */
export interface PlanfixData {
  readonly tasks: SimTask[];
  readonly contacts: SimContact[];
  readonly employees: SimEmployee[];
  readonly telephonyCalls: SimCall[];
}

export function landed(pf: PlanfixData): LandedTask[] {
  const contact = (n: number | undefined) => (n === undefined ? undefined : pf.contacts.find((c) => c.number === n));
  const fullName = (p: { name: string; lastName: string }) => [p.name, p.lastName].filter(Boolean).join(' ');
  const author = (a: SimAuthor): string => {
    if ('contactNumber' in a) return fullName(contact(a.contactNumber) ?? { name: `contact ${a.contactNumber}`, lastName: '' });
    const e = pf.employees.find((x) => x.email === a.employeeEmail);
    return e ? fullName(e) : a.employeeEmail;
  };
  return pf.tasks.map((t) => {
    const c = contact(t.counterparty?.contactNumber ?? ('contactNumber' in t.assigner ? t.assigner.contactNumber : undefined));
    return {
      number: t.number,
      name: t.name,
      active: t.active,
      ...(c ? { contact: { number: c.number, name: fullName(c) || c.phone || `contact ${c.number}`, phones: c.phones.map((p) => p.number), email: c.email } } : {}),
      messages: t.comments.map((m) => ({ author: author(m.author), fromCustomer: 'contactNumber' in m.author, text: htmlText(m.text), at: m.at })),
      calls: c ? pf.telephonyCalls.filter((call) => call.contactNumber === c.number).map(callOf) : [],
    };
  });
}

/** The data tag Planfix puts on the call, and what it means to a reader of the demo. */
const OUTCOMES: Record<NonNullable<SimCall['tag']>, string> = { 'Звонок': 'answered («Звонок»)', 'Пропущенный звонок': 'missed («Пропущенный звонок»)' };

function callOf(c: SimCall): LandedCall {
  return {
    callid: c.callid, type: c.type, phone: c.phone,
    outcome: c.tag ? OUTCOMES[c.tag] : c.endedAt ? 'ended' : 'in progress',
    ...(c.duration !== undefined ? { duration: c.duration } : {}),
    ...(c.recordLink ? { recordLink: c.recordLink } : {}),
    at: c.startedAt,
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function htmlText(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/(?:p|div|li|tr|h\d)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[\da-f]+|#\d+|\w+);/gi, (all, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
        return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : all;
      }
      return ENTITIES[e.toLowerCase()] ?? all;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
