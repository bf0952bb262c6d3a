import { SqliteStore } from '../../relay/store/sqlite/store.ts';

// A customer with a long history, written into a stopped relay's store by the store's own API
// (bind, putConversation, setTask, putPlanfixContact, putCall, noteFirstVisit), with the values
// delivery would have given: for the widget's paging tests and its benchmark, where delivering
// hundreds of calls through Planfix's one REST request a second would take minutes.
//
// One Planfix contact (`planfixId`) holds every number; each conversation is a chat customer of
// its own number (so any number of them on one channel), one hour apart, newest first; each call
// is half an hour apart, every third missed, the others answered and recorded.

export interface SeedCustomer {
  account: string;
  planfixId: number;
  /** The chat channel the conversations came through, and the calls channel. */
  chatChannel: { id: string; kind: string; name: string };
  callChannel: string;
  conversations: number;
  calls: number;
  /** The newest item's time. */
  at: number;
  /** The first task number: conversation i is on task `firstTask + i`, call j on `firstTask + 10000 + j`. */
  firstTask: number;
  recordingUrl?: (call: number) => string;
  /** Conversation i's last message and its visits' landing page (what a visitor writes, or a site's URL). */
  lastText?: (i: number) => string;
  landing?: (i: number) => string;
}

const HOUR = 3_600_000;
const phoneOf = (i: number) => `+38050${String(2_000_000 + i).slice(-7)}`;

export async function seedCustomer(dataDir: string, c: SeedCustomer): Promise<void> {
  const store = new SqliteStore(dataDir);
  try {
    const s = store.state(c.account);
    for (let i = 0; i < c.conversations; i++) {
      const phone = phoneOf(i);
      const at = c.at - i * HOUR;
      const { contact, written } = await s.bind({ client: `${c.chatChannel.id}/seed-${i}`, phone }, () => ({ name: `Customer ${i}`, phone }));
      await written;
      await s.putPlanfixContact(phone, { id: c.planfixId, phone });
      const chatId = `${c.chatChannel.id}:${contact.key}`;
      const landing = c.landing?.(i) ?? `https://shop.example.com/p/${i}`;
      const text = c.lastText?.(i) ?? `Is order A-${1000 + i} on its way? I paid yesterday.`;
      const utm = { utm_source: i === c.conversations - 1 ? 'newsletter' : 'google', utm_medium: 'cpc', utm_campaign: `spring-${i % 7}` };
      await s.putConversation({
        chatId, channel: c.chatChannel.id, contactKey: contact.key, clientId: `seed-${i}`, fresh: true, updatedAt: at,
        last: { at, text },
        meta: { channel: c.chatChannel, customer: { name: `Customer ${i}`, phone }, visitor: { city: 'Kyiv' }, pages: [], utm, referrer: 'https://www.google.com/', landing },
      });
      await s.setTask(chatId, c.firstTask + i, true);
      await s.noteFirstVisit(contact.key, { at: at - 60_000, channel: c.chatChannel.id, referrer: 'https://www.google.com/', landing, utm });
    }
    for (let j = 0; j < c.calls; j++) {
      const missed = j % 3 === 2;
      await s.putCall({
        callId: `seed-call-${j}`, channel: c.callChannel, at: c.at - j * HOUR / 2, direction: j % 4 === 3 ? 'out' : 'in',
        status: missed ? 'missed' : 'answered', phone: phoneOf(0), ...(missed ? {} : { durationSec: 30 + j, employee: 'Ivan Petrov' }),
        ...(!missed && c.recordingUrl ? { recordingUrl: c.recordingUrl(j) } : {}),
        contactKey: `pf:${c.planfixId}`, ...(missed ? {} : { taskNumber: c.firstTask + 10_000 + j }), attached: true,
      });
    }
  } finally {
    await store.close();
  }
}
