// The simulated Planfix account: contacts, employees, tasks, comments, calls and the
// bindings the Chat API keeps (provider contact → contact, provider chat → current task).
// Plain data so tests can read it directly.
import type { Attachment } from './form.ts';
import { samePhone } from './phones.ts';

export interface PlanfixSimOptions {
  chatToken?: string;
  restToken?: string;
  dataAsString?: boolean;
  statusIsActive?: boolean;
  newTaskIfInactive?: boolean;
  taskFields?: string[];
  restRps?: number | null;
  dailyQuota?: number | null;
  /** Scopes the REST token has; null: all of them. */
  restScopes?: string[] | null;
  port?: number;
  /** planfix_token of the Telephony API (its own token in Planfix's settings). */
  telToken?: string;
  /**
   * How REST filter 4003 (phone, "equal" = contains) compares, which the reference leaves
   * open: 'stored' = substring of the phone text as stored; 'digits' = digits only.
   */
  phoneFilter?: 'stored' | 'digits';
  /** String fields of the "Звонок" data tag that `data_<name>` on a call may fill. */
  callFields?: string[];
  /** An incoming call from an unknown number creates a contact (native behaviour, §2.5). */
  telCreatesContacts?: boolean;
  /** Order of POST /task/list results; undocumented, so a relay must not rely on it. */
  taskListOrder?: 'asc' | 'desc';
  /** REST error code for a contact whose e-mail is taken (unconfirmed; 2001 likely). */
  duplicateEmailCode?: number;
  /** Contact filter 38 (last modified) with `otherRange_withTime`: its semantics are unconfirmed, so a sim may refuse it. */
  changedFilter?: 'supported' | 'refused';
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
  restScopes: null,
  port: 0,
  telToken: 'pf-tel-token',
  phoneFilter: 'stored',
  callFields: ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'],
  telCreatesContacts: true,
  taskListOrder: 'asc',
  duplicateEmailCode: 2001,
  changedFilter: 'supported',
};

export const DEFAULT_EMPLOYEE = 'default@planfix.sim';
/** The employee the REST token acts as: Planfix recommends a robot for integrations. */
export const ROBOT_EMPLOYEE = 'robot@planfix.sim';
export const PROCESS_ID = 1;
export const CONTACT_TEMPLATES = [{ id: 1, name: 'Клиент' }] as const;
/** 1 is what chat tasks are created from; 2 is there for tasks a relay creates itself. */
export const TASK_TEMPLATES = [
  { id: 1, name: 'Диалог с клиентом' },
  { id: 2, name: 'Звонок клиента' },
] as const;
export const STATUSES = [
  { id: 1, name: 'Новая', isActive: true },
  { id: 2, name: 'В работе', isActive: true },
  { id: 3, name: 'Завершенная', isActive: false },
  { id: 4, name: 'Отклоненная', isActive: false },
  { id: 5, name: 'Отложенная', isActive: true },
] as const;
export type SimStatus = (typeof STATUSES)[number];

export interface SimPhone {
  number: string;
  type: number;
}

export interface SimContact {
  number: number;
  providerId: string;
  contactId: string;
  name: string;
  lastName: string;
  email: string;
  /** The first phone's number ('' when none); writing it replaces that phone. */
  phone: string;
  /** Every phone exactly as written: Planfix does not normalise numbers. */
  phones: SimPhone[];
  ico: string;
  data: string;
  updates: number;
  templateId: number;
  source: 'chat' | 'rest' | 'telephony' | 'seed';
  /** E-mail of the responsible employee (the telephony `contact` answer names their ext). */
  responsible?: string;
  createdAt: number;
  /** When the contact was last written (created, or updated through REST or the Chat API). */
  updatedAt: number;
}

export type SimAuthor = { contactNumber: number } | { employeeEmail: string };

export interface SimEmployee {
  id: number;
  email: string;
  name: string;
  lastName: string;
  /** Short number: the telephony API identifies employees by it. */
  ext: string;
  phone: string;
  role: 'User' | 'Robot';
}

export interface SimComment {
  id: number;
  text: string;
  author: SimAuthor;
  attachments: Attachment[];
  /** WebChatApi for Chat API messages (our choice, see reference §3.8); Planfix for replies and REST. */
  fromType: 'WebChatApi' | 'Planfix';
  /** `recipients` of a REST comment, as sent. */
  recipients?: unknown;
  at: number;
}

export interface SimContactComment {
  id: number;
  contactNumber: number;
  description: string;
  author: SimAuthor;
  at: number;
}

export interface SimTask {
  number: number;
  /** '' for tasks not made by the Chat API. */
  providerId: string;
  chatId: string;
  name: string;
  description: string;
  templateId: number;
  /** The client contact on chat tasks; an employee (the token's robot by default) on REST ones. */
  assigner: SimAuthor;
  /** Absent when a REST task was created without one. */
  counterparty?: { contactNumber: number };
  assignees: { users: string[]; groups: number[] };
  statusId: number;
  active: boolean;
  fields: Record<string, string>;
  comments: SimComment[];
  createdFrom?: number;
  source: 'chat' | 'rest' | 'seed';
  createdAt: number;
  updatedAt: number;
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
  /** Date.now() when the sim answered; consecutive calls can be compared to the millisecond. */
  at: number;
}
export interface SimMessageStatus {
  messageId: string;
  status: string;
  text?: string;
  at: number;
}
export type CallType = 'in' | 'out';
export type CallEventName = 'INCOMING' | 'OUTGOING' | 'ACCEPTED' | 'COMPLETED';

/** One request to the Telephony API, whatever its outcome. */
export interface SimTelCommand {
  cmd: string;
  params: Record<string, string>;
  status: number;
  at: number;
}

/** An accepted `event` command with its fields parsed. */
export interface SimCallEvent {
  callid: string;
  type: CallType;
  event: CallEventName;
  phone: string;
  diversion?: string;
  ext: string;
  duration?: number;
  isRecorded?: boolean;
  status?: string;
  recordLink?: string;
  /** Every `data_<name>` field, keyed by <name>. */
  data: Record<string, string>;
  /** Why Planfix did nothing with the event (unknown ext, an employee's number). */
  ignored?: string;
  at: number;
}

/** What Planfix keeps of one call (one callid): the "Звонок" or "Пропущенный звонок" record. */
export interface SimCall {
  callid: string;
  type: CallType;
  phone: string;
  diversion: string;
  contactNumber?: number;
  /** Per ext: the events that employee got, and the status of their COMPLETED. */
  legs: Record<string, { events: CallEventName[]; status?: string }>;
  /** Set by the COMPLETED that ends the call (anything but Cancelled). */
  tag?: 'Звонок' | 'Пропущенный звонок';
  status?: string;
  ext?: string;
  duration?: number;
  isRecorded: boolean;
  recordLink?: string;
  /** `data_*` values for the "Звонок" fields (callFields); others are dropped. */
  fields: Record<string, string>;
  /** Every `record` command for this call. */
  records: { recordLink: string; isTemp: boolean; at: number }[];
  startedAt: number;
  endedAt?: number;
}

/** A Planfix → PBX (relay) telephony command and the relay's answer. */
export interface SimTelOutbound {
  cmd: 'makeCall' | 'setup' | 'ping';
  url: string;
  params: Record<string, string>;
  status: number;
  body: unknown;
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

export type ContactInput = Pick<SimContact, 'name'> &
  Partial<Omit<SimContact, 'number' | 'updates' | 'phones' | 'createdAt'>> & { phones?: SimPhone[] };

export class SimState {
  contacts: SimContact[] = [];
  employees: SimEmployee[] = [];
  tasks: SimTask[] = [];
  contactComments: SimContactComment[] = [];
  commands: SimCommand[] = [];
  restCalls: SimRestCall[] = [];
  messageStatuses: SimMessageStatus[] = [];
  outbound: SimOutbound[] = [];
  telephonyCommands: SimTelCommand[] = [];
  telephonyEvents: SimCallEvent[] = [];
  telephonyCalls: SimCall[] = [];
  telephonyOutbound: SimTelOutbound[] = [];
  /** What the admin entered in Planfix's telephony settings: where and with which token to call the PBX. */
  telephonySettings = { pbxUrl: '', pbxToken: '' };
  /** Every callid the Telephony API accepted, even for calls it ignored. */
  readonly seenCallIds = new Set<string>();

  // Distinct ranges so a relay that mixes up task, contact and comment ids fails loudly.
  private nextTask = 1001;
  private nextContact = 5001;
  private nextComment = 90001;
  private nextContactComment = 70001;
  private nextUser = 1;
  private readonly contactByKey = new Map<string, number>();
  private readonly taskByChat = new Map<string, number>();
  private readonly channelByChat = new Map<string, string>();
  // Users named in chat traffic that are not employees of the account still need stable ids.
  private readonly strangerIds = new Map<string, number>();
  /** messageId → providerId of every message the sim sent to a relay. */
  readonly sentMessages = new Map<string, string>();
  lastProviderId: string | undefined;

  constructor(readonly config: SimConfig) {
    this.addEmployee({ email: ROBOT_EMPLOYEE, name: 'Robot', role: 'Robot' });
    this.addEmployee({ email: DEFAULT_EMPLOYEE, name: 'Default', lastName: 'Employee' });
  }

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

  addContact(c: ContactInput): SimContact {
    const { phone, phones, ...rest } = c;
    const contact = {
      providerId: '',
      contactId: '',
      lastName: '',
      email: '',
      ico: '',
      data: '',
      templateId: CONTACT_TEMPLATES[0].id,
      source: 'seed',
      ...rest,
      phones: phones ? phones.map((p) => ({ ...p })) : phone ? [{ number: phone, type: 1 }] : [],
      number: this.nextContact++,
      updates: 0,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    } as SimContact;
    // `phone` predates `phones`; keeping it a view of phones[0] means the two never disagree.
    Object.defineProperty(contact, 'phone', {
      enumerable: true,
      get: () => contact.phones[0]?.number ?? '',
      set: (v: string) => {
        if (v === '') contact.phones.shift();
        else if (contact.phones[0]) contact.phones[0].number = v;
        else contact.phones.push({ number: v, type: 1 });
      },
    });
    this.contacts.push(contact);
    if (contact.providerId !== '') this.bindContact(contact.providerId, contact.contactId, contact.number);
    return contact;
  }
  bindContact(providerId: string, contactId: string, number: number): void {
    this.contactByKey.set(key(providerId, contactId), number);
  }
  /** Contacts holding this number in any spelling (the telephony matching rule, see phones.ts). */
  contactsWithPhone(phone: string): SimContact[] {
    return this.contacts.filter((c) => c.phones.some((p) => samePhone(p.number, phone)));
  }

  addEmployee(e: Pick<SimEmployee, 'email' | 'name'> & Partial<Omit<SimEmployee, 'id'>>): SimEmployee {
    if (this.employee(e.email)) throw new Error(`PlanfixSim: employee ${e.email} exists`);
    if (e.ext && this.employeeByExt(e.ext)) throw new Error(`PlanfixSim: short number ${e.ext} is taken`);
    const employee: SimEmployee = { lastName: '', ext: '', phone: '', role: 'User', ...e, id: this.nextUser++ };
    this.employees.push(employee);
    return employee;
  }
  employee(email: string): SimEmployee | undefined {
    const e = email.toLowerCase();
    return this.employees.find((x) => x.email.toLowerCase() === e);
  }
  employeeById(id: number): SimEmployee | undefined {
    return this.employees.find((x) => x.id === id);
  }
  employeeByExt(ext: string): SimEmployee | undefined {
    return ext === '' ? undefined : this.employees.find((x) => x.ext === ext);
  }
  /** REST user id for an e-mail: the employee's, or a stable one for an unknown address. */
  userId(email: string): number {
    const known = this.employee(email);
    if (known) return known.id;
    let id = this.strangerIds.get(email);
    if (id === undefined) this.strangerIds.set(email, (id = this.nextUser++));
    return id;
  }

  addTask(t: {
    providerId?: string;
    chatId?: string;
    name: string;
    contactNumber?: number;
    createdFrom?: number;
    assigner?: SimAuthor;
    description?: string;
    templateId?: number;
    statusId?: number;
    assignees?: { users: string[]; groups: number[] };
    fields?: Record<string, string>;
    source?: SimTask['source'];
    createdAt?: number;
  }): SimTask {
    const status = STATUSES.find((s) => s.id === (t.statusId ?? 1));
    if (!status) throw new Error(`PlanfixSim: unknown status ${String(t.statusId)}`);
    const now = t.createdAt ?? Date.now();
    const chat = t.providerId !== undefined && t.providerId !== '';
    const task: SimTask = {
      number: this.nextTask++,
      providerId: t.providerId ?? '',
      chatId: t.chatId ?? '',
      name: t.name,
      description: t.description ?? '',
      templateId: t.templateId ?? TASK_TEMPLATES[0].id,
      // Planfix makes the client the assigner of a chat task; other tasks default to the token's user.
      assigner:
        t.assigner ??
        (chat && t.contactNumber !== undefined ? { contactNumber: t.contactNumber } : { employeeEmail: ROBOT_EMPLOYEE }),
      ...(t.contactNumber !== undefined ? { counterparty: { contactNumber: t.contactNumber } } : {}),
      assignees: t.assignees ?? { users: [], groups: [] },
      statusId: status.id,
      active: status.isActive,
      fields: { ...t.fields },
      comments: [],
      ...(t.createdFrom !== undefined ? { createdFrom: t.createdFrom } : {}),
      source: t.source ?? 'chat',
      createdAt: now,
      updatedAt: now,
    };
    this.tasks.push(task);
    if (task.chatId !== '') this.bindChat(task, task.chatId);
    return task;
  }

  /** Makes `task` the chat's current task (a first message gets its chatId only later). */
  bindChat(task: SimTask, chatId: string): void {
    task.chatId = chatId;
    this.taskByChat.set(key(task.providerId, chatId), task.number);
  }

  setStatus(task: SimTask, statusId: number): void {
    const status = STATUSES.find((s) => s.id === statusId);
    if (!status) throw new Error(`PlanfixSim: unknown status ${statusId}`);
    task.statusId = status.id;
    task.active = status.isActive;
    task.updatedAt = Date.now();
  }

  addComment(
    task: SimTask,
    c: { text: string; author: SimAuthor; attachments: Attachment[]; fromType: SimComment['fromType']; recipients?: unknown },
  ): SimComment {
    const comment: SimComment = { id: this.nextComment++, ...c, at: Date.now() };
    task.comments.push(comment);
    task.updatedAt = comment.at;
    return comment;
  }

  addContactComment(contactNumber: number, description: string, author: SimAuthor = { employeeEmail: ROBOT_EMPLOYEE }): number {
    const id = this.nextContactComment++;
    this.contactComments.push({ id, contactNumber, description, author, at: Date.now() });
    return id;
  }

  /** Template String fields get stable ids 201, 202, … in option order (REST needs ids). */
  fieldId(name: string): number | undefined {
    const i = this.config.taskFields.indexOf(name);
    return i < 0 ? undefined : 201 + i;
  }
}
