// Planfix → relay: the newMessage Planfix posts when an employee answers in a chat task,
// or starts a conversation from a contact card (docs/reference/planfix-api.md §1.4).
import { nanoid } from 'nanoid';
import { encodeForm, type Attachment } from './form.ts';
import { postForm } from './http.ts';
import { DEFAULT_EMPLOYEE, type SimContact, type SimState, type SimTask } from './state.ts';

export interface SimUser {
  name: string;
  lastName: string;
  ico?: string;
  email?: string;
}

export interface ReplyArgs {
  relayUrl: string;
  token: string;
  taskNumber: number;
  message: string;
  user?: SimUser;
  attachments?: Attachment[];
}

export interface FirstMessageArgs {
  relayUrl: string;
  token: string;
  contactPhone: string;
  message: string;
  channel?: string;
  user?: SimUser;
  attachments?: Attachment[];
  /** Defaults to the providerId of the last accepted Chat API command. */
  providerId?: string;
}

export interface OutboundResult {
  status: number;
  body: unknown;
  messageId: string;
}

const DEFAULT_USER: SimUser = { name: 'Ivan', lastName: 'Petrov' };
type Fields = Record<string, string | undefined>;

export async function sendReply(
  state: SimState,
  origin: string,
  task: SimTask,
  args: ReplyArgs,
): Promise<OutboundResult> {
  const contact = task.counterparty && state.contact(task.counterparty.contactNumber);
  const user = { ...DEFAULT_USER, ...args.user };
  const attachments = args.attachments ?? [];
  const messageId = newMessageId(state, task.providerId);
  employeeComment(state, task, args.message, user, attachments);
  const fields: Fields = {
    ...senderFields(origin, args, user, messageId, task),
    providerId: task.providerId,
    chatId: task.chatId,
    channel: state.channelOf(task.providerId, task.chatId),
    contactPhone: contact?.phone || undefined,
  };
  return send(state, args.relayUrl, fields, attachments, messageId, task.number);
}

/**
 * No chatId yet. Planfix already has the contact card and the new task (hence taskEmail);
 * on 200 with chatId + contactId it binds both to that task.
 */
export async function sendFirstMessage(
  state: SimState,
  origin: string,
  args: FirstMessageArgs,
): Promise<OutboundResult> {
  const providerId = args.providerId ?? state.lastProviderId;
  if (!providerId) throw new Error('PlanfixSim.firstMessage: pass providerId (no chat seen yet)');
  const user = { ...DEFAULT_USER, ...args.user };
  const attachments = args.attachments ?? [];
  const messageId = newMessageId(state, providerId);
  const contact = contactByPhone(state, args.contactPhone);
  const task = state.addTask({
    providerId,
    chatId: '',
    name: `Chat with ${contact.name}`,
    contactNumber: contact.number,
  });
  employeeComment(state, task, args.message, user, attachments);
  const fields: Fields = {
    ...senderFields(origin, args, user, messageId, task),
    providerId,
    channel: args.channel,
    contactPhone: args.contactPhone,
  };
  const result = await send(state, args.relayUrl, fields, attachments, messageId, task.number);
  const body = result.body as { chatId?: unknown; contactId?: unknown } | null;
  if (result.status === 200 && typeof body?.chatId === 'string' && typeof body.contactId === 'string') {
    if (contact.providerId === '') Object.assign(contact, { providerId, contactId: body.contactId });
    state.bindContact(providerId, body.contactId, contact.number);
    const previous = state.currentTask(providerId, body.chatId);
    if (previous) task.createdFrom = previous.number;
    state.bindChat(task, body.chatId);
    if (args.channel) state.setChannel(providerId, body.chatId, args.channel);
  }
  return result;
}

/** The contact card the employee started from: matched by phone digits, else created. */
/** The employee's comment exists in the task before Planfix pushes it out. */
function employeeComment(state: SimState, task: SimTask, text: string, user: SimUser, attachments: Attachment[]): void {
  state.addComment(task, { text, author: { employeeEmail: user.email ?? DEFAULT_EMPLOYEE }, attachments, fromType: 'Planfix' });
}

function contactByPhone(state: SimState, phone: string): SimContact {
  const digits = phone.replace(/\D/g, '');
  const found = state.contacts.find((c) => c.phone !== '' && c.phone.replace(/\D/g, '') === digits);
  return (
    found ??
    state.addContact({
      providerId: '',
      contactId: '',
      name: `Contact ${phone}`,
      lastName: '',
      email: '',
      phone,
      ico: '',
      data: '',
    })
  );
}

function senderFields(
  origin: string,
  args: { token: string; message: string },
  user: SimUser,
  messageId: string,
  task: SimTask,
): Fields {
  return {
    cmd: 'newMessage',
    token: args.token,
    message: args.message,
    messageId,
    userName: user.name,
    userLastName: user.lastName,
    userIco: user.ico ?? `${origin}/avatar/${encodeURIComponent(user.name)}.png`,
    taskEmail: `task${task.number}@planfix.sim`,
  };
}

async function send(
  state: SimState,
  relayUrl: string,
  fields: Fields,
  attachments: Attachment[],
  messageId: string,
  taskNumber?: number,
): Promise<OutboundResult> {
  const { status, body } = await postForm(relayUrl, encodeForm(fields, attachments));
  const params = Object.fromEntries(
    Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined),
  );
  state.outbound.push({
    messageId,
    ...(taskNumber !== undefined ? { taskNumber } : {}),
    params,
    status,
    body,
    at: Date.now(),
  });
  return { status, body, messageId };
}

/** Registered before sending: the relay may confirm delivery while still answering. */
function newMessageId(state: SimState, providerId: string): string {
  const id = `pfmsg-${nanoid(12)}`;
  state.sentMessages.set(id, providerId);
  return id;
}
