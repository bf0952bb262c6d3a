// The simulated Planfix account: contacts, tasks, comments and the bindings the Chat API
// keeps (provider contact → contact, provider chat → current task). Plain data so tests
// can read it directly.
import type { Attachment } from './form.ts';

export interface PlanfixSimOptions {
  chatToken?: string;
  restToken?: string;
  dataAsString?: boolean;
  statusIsActive?: boolean;
  newTaskIfInactive?: boolean;
  taskFields?: string[];
  restRps?: number | null;
  dailyQuota?: number | null;
  port?: number;
}
export type SimConfig = Required<PlanfixSimOptions>;

export const DEFAULTS: SimConfig = {
  chatToken: 'pf-chat-token',
  restToken: 'pf-rest-token',
  dataAsString: false,
  statusIsActive: true,
  newTaskIfInactive: true,
  taskFields: ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'],
  restRps: null,
  dailyQuota: null,
  port: 0,
};

export const DEFAULT_EMPLOYEE = 'default@planfix.sim';
export const PROCESS_ID = 1;
export const STATUSES = [
  { id: 1, name: 'Новая', isActive: true },
  { id: 2, name: 'В работе', isActive: true },
  { id: 3, name: 'Завершенная', isActive: false },
  { id: 4, name: 'Отклоненная', isActive: false },
  { id: 5, name: 'Отложенная', isActive: true },
] as const;
export type SimStatus = (typeof STATUSES)[number];

export interface SimContact {
  number: number;
  providerId: string;
  contactId: string;
  name: string;
  lastName: string;
  email: string;
  phone: string;
  ico: string;
  data: string;
  updates: number;
}

export type SimAuthor = { contactNumber: number } | { employeeEmail: string };

export interface SimComment {
  id: number;
  text: string;
  author: SimAuthor;
  attachments: Attachment[];
  /** WebChatApi for Chat API messages (our choice, see reference §3.8); Planfix for replies. */
  fromType: 'WebChatApi' | 'Planfix';
  at: number;
}

export interface SimTask {
  number: number;
  providerId: string;
  chatId: string;
  name: string;
  assigner: { contactNumber: number };
  counterparty: { contactNumber: number };
  statusId: number;
  active: boolean;
  fields: Record<string, string>;
  comments: SimComment[];
  createdFrom?: number;
}

export interface SimCommand {
  cmd: string;
  params: Record<string, unknown>;
  status: number;
  at: number;
}
export interface SimRestCall {
  method: string;
  path: string;
  body: unknown;
  status: number;
  at: number;
}
export interface SimMessageStatus {
  messageId: string;
  status: string;
  text?: string;
  at: number;
}
/** One outbound Planfix → relay newMessage (reply or first message) and its answer. */
export interface SimOutbound {
  messageId: string;
  taskNumber?: number;
  params: Record<string, string>;
  status: number;
  body: unknown;
  at: number;
}

// `~` is forbidden in providerId precisely so it can join provider-scoped keys.
const key = (providerId: string, id: string) => `${providerId}~${id}`;

export class SimState {
  contacts: SimContact[] = [];
  tasks: SimTask[] = [];
  contactComments: { contactNumber: number; description: string; at: number }[] = [];
  commands: SimCommand[] = [];
  restCalls: SimRestCall[] = [];
  messageStatuses: SimMessageStatus[] = [];
  outbound: SimOutbound[] = [];

  // Distinct ranges so a relay that mixes up task, contact and comment ids fails loudly.
  private nextTask = 1001;
  private nextContact = 5001;
  private nextComment = 90001;
  private nextContactComment = 70001;
  private readonly contactByKey = new Map<string, number>();
  private readonly taskByChat = new Map<string, number>();
  private readonly channelByChat = new Map<string, string>();
  /** messageId → providerId of every message the sim sent to a relay. */
  readonly sentMessages = new Map<string, string>();
  lastProviderId: string | undefined;

  constructor(readonly config: SimConfig) {}

  task(n: number): SimTask | undefined {
    return this.tasks.find((t) => t.number === n);
  }
  contact(n: number): SimContact | undefined {
    return this.contacts.find((c) => c.number === n);
  }
  contactFor(providerId: string, contactId: string): SimContact | undefined {
    const n = this.contactByKey.get(key(providerId, contactId));
    return n === undefined ? undefined : this.contact(n);
  }
  currentTask(providerId: string, chatId: string): SimTask | undefined {
    const n = this.taskByChat.get(key(providerId, chatId));
    return n === undefined ? undefined : this.task(n);
  }
  channelOf(providerId: string, chatId: string): string | undefined {
    return this.channelByChat.get(key(providerId, chatId));
  }
  setChannel(providerId: string, chatId: string, channel: string): void {
    this.channelByChat.set(key(providerId, chatId), channel);
  }

  addContact(c: Omit<SimContact, 'number' | 'updates'>): SimContact {
    const contact: SimContact = { ...c, number: this.nextContact++, updates: 0 };
    this.contacts.push(contact);
    if (c.providerId !== '') this.bindContact(c.providerId, c.contactId, contact.number);
    return contact;
  }
  bindContact(providerId: string, contactId: string, number: number): void {
    this.contactByKey.set(key(providerId, contactId), number);
  }

  addTask(t: {
    providerId: string;
    chatId: string;
    name: string;
    contactNumber: number;
    createdFrom?: number;
  }): SimTask {
    const task: SimTask = {
      number: this.nextTask++,
      providerId: t.providerId,
      chatId: t.chatId,
      name: t.name,
      assigner: { contactNumber: t.contactNumber },
      counterparty: { contactNumber: t.contactNumber },
      statusId: 1,
      active: true,
      fields: {},
      comments: [],
      ...(t.createdFrom !== undefined ? { createdFrom: t.createdFrom } : {}),
    };
    this.tasks.push(task);
    if (t.chatId !== '') this.bindChat(task, t.chatId);
    return task;
  }

  /** Makes `task` the chat's current task (a first message gets its chatId only later). */
  bindChat(task: SimTask, chatId: string): void {
    task.chatId = chatId;
    this.taskByChat.set(key(task.providerId, chatId), task.number);
  }

  addComment(
    task: SimTask,
    c: { text: string; author: SimAuthor; attachments: Attachment[]; fromType: SimComment['fromType'] },
  ): SimComment {
    const comment: SimComment = { id: this.nextComment++, ...c, at: Date.now() };
    task.comments.push(comment);
    return comment;
  }

  addContactComment(contactNumber: number, description: string): number {
    this.contactComments.push({ contactNumber, description, at: Date.now() });
    return this.nextContactComment++;
  }

  /** Template String fields get stable ids 201, 202, … in option order (REST needs ids). */
  fieldId(name: string): number | undefined {
    const i = this.config.taskFields.indexOf(name);
    return i < 0 ? undefined : 201 + i;
  }
}
