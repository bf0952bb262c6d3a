// Chat API ("API ПланФикса для чатов"), relay → Planfix: POST /webchat/api, form in,
// JSON out. Reference: docs/reference/planfix-api.md §1.3, §4.3, §5.
import { attachmentsOf, fieldsOf, parseForm } from './form.ts';
import { DEFAULT_EMPLOYEE, type SimState, type SimTask } from './state.ts';

export interface ChatAnswer {
  status: number;
  /** undefined = empty body (documented success answer). */
  body?: unknown;
}

const INVALID: ChatAnswer = { status: 400, body: { error: 'Invalid parameters' } };
const BAD_TOKEN: ChatAnswer = { status: 401, body: { error: 'Invalid token' } };
const OK: ChatAnswer = { status: 200 };

const REQUIRED: Record<string, string[]> = {
  newMessage: ['providerId', 'chatId', 'planfix_token', 'message', 'contactId', 'contactName'],
  getTask: ['providerId', 'planfix_token', 'chatId'],
  getContact: ['providerId', 'planfix_token', 'contactId'],
  updateContact: ['providerId', 'planfix_token', 'contactId', 'contactName'],
  messageStatus: ['providerId', 'planfix_token', 'messageId', 'messageStatus'],
};

type Fields = Record<string, string>;

export function handleChatApi(state: SimState, rawBody: string, contentType: string): ChatAnswer {
  // Planfix only reads form bodies; anything else simply lacks every parameter.
  const isForm = contentType.toLowerCase().includes('application/x-www-form-urlencoded');
  const entries = isForm ? parseForm(rawBody) : [];
  const f = fieldsOf(entries);
  const attachments = attachmentsOf(entries);
  const answer = dispatch(state, f, attachments);
  state.commands.push({
    cmd: f.cmd ?? '',
    params: attachments.length > 0 ? { ...f, attachments } : { ...f },
    status: answer.status,
    at: Date.now(),
  });
  return answer;
}

function dispatch(state: SimState, f: Fields, attachments: ReturnType<typeof attachmentsOf>): ChatAnswer {
  const required = f.cmd === undefined ? undefined : REQUIRED[f.cmd];
  if (!required) return INVALID;
  for (const name of required) {
    const v = f[name];
    // A file-only message has no text; we accept an empty message when files come with it.
    const emptyOk = name === 'message' && attachments.length > 0;
    if (v === undefined || (v === '' && !emptyOk)) return INVALID;
  }
  if (f.providerId!.includes('~')) return INVALID;
  if (f.planfix_token !== state.config.chatToken) return BAD_TOKEN;
  state.lastProviderId = f.providerId;

  switch (f.cmd) {
    case 'newMessage':
      return newMessage(state, f, attachments);
    case 'getTask': {
      const task = state.currentTask(f.providerId!, f.chatId!);
      if (!task) return { status: 400, body: { error: 'task not found' } };
      const data = state.config.statusIsActive
        ? { number: task.number, statusIsActive: task.active }
        : { number: task.number };
      return { status: 200, body: { data: wrap(state, data) } };
    }
    case 'getContact': {
      const contact = state.contactFor(f.providerId!, f.contactId!);
      if (!contact) return { status: 400, body: { error: 'unknown contact' } };
      return { status: 200, body: { data: wrap(state, { number: contact.number }) } };
    }
    case 'updateContact':
      return updateContact(state, f);
    case 'messageStatus':
      return messageStatus(state, f);
  }
  return INVALID;
}

// Real accounts were seen answering `data` as a JSON-encoded string (reference §1.3).
const wrap = (state: SimState, data: object) =>
  state.config.dataAsString ? JSON.stringify(data) : data;

function newMessage(state: SimState, f: Fields, attachments: ReturnType<typeof attachmentsOf>): ChatAnswer {
  const providerId = f.providerId!;
  const chatId = f.chatId!;
  const contact =
    state.contactFor(providerId, f.contactId!) ??
    state.addContact({
      providerId,
      contactId: f.contactId!,
      name: f.contactName!,
      lastName: f.contactLastName ?? '',
      email: f.contactEmail ?? '',
      phone: f.contactPhone ?? '',
      ico: f.contactIco ?? '',
      data: f.contactData ?? '',
      source: 'chat',
    });

  let task: SimTask | undefined = state.currentTask(providerId, chatId);
  const previous = task;
  if (!task || (!task.active && state.config.newTaskIfInactive)) {
    const who = [f.contactName, f.contactLastName].filter(Boolean).join(' ');
    task = state.addTask({
      providerId,
      chatId,
      name: f.title ? f.title : `Chat with ${who}`,
      contactNumber: contact.number,
      ...(previous ? { createdFrom: previous.number } : {}),
    });
  }
  if (f.channel) state.setChannel(providerId, chatId, f.channel);

  for (const [k, v] of Object.entries(f)) {
    if (!k.startsWith('data_')) continue;
    const field = k.slice('data_'.length);
    // Fields missing from the task template are ignored; a value is never blanked.
    if (state.fieldId(field) !== undefined && v !== '') task.fields[field] = v;
  }

  const echo = f.isEcho === 'true' || f.isEcho === '1';
  state.addComment(task, {
    text: f.message!,
    author: echo ? { employeeEmail: f.userEmail || DEFAULT_EMPLOYEE } : { contactNumber: contact.number },
    attachments,
    fromType: 'WebChatApi',
  });
  return OK;
}

function updateContact(state: SimState, f: Fields): ChatAnswer {
  const contact = state.contactFor(f.providerId!, f.contactId!);
  if (!contact) return INVALID;
  // Omitted optional fields keep their values (the docs leave this open; see §1.3).
  contact.name = f.contactName!;
  if (f.contactLastName !== undefined) contact.lastName = f.contactLastName;
  if (f.contactEmail !== undefined) contact.email = f.contactEmail;
  if (f.contactPhone !== undefined) contact.phone = f.contactPhone;
  if (f.contactIco !== undefined) contact.ico = f.contactIco;
  if (f.contactData !== undefined) contact.data = f.contactData;
  contact.updates++;
  contact.updatedAt = Date.now();
  return OK;
}

function messageStatus(state: SimState, f: Fields): ChatAnswer {
  if (state.sentMessages.get(f.messageId!) !== f.providerId) return INVALID;
  const raw = f.messageStatus!;
  // Documented: any value other than error/sent/read counts as "sent".
  const status = raw === 'error' || raw === 'read' ? raw : 'sent';
  state.messageStatuses.push({
    messageId: f.messageId!,
    status,
    ...(f.messageStatusText !== undefined ? { text: f.messageStatusText } : {}),
    at: Date.now(),
  });
  return OK;
}
