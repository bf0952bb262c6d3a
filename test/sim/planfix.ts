// PlanfixSim: a fake Planfix account over real HTTP on 127.0.0.1 — the Chat API, the
// Telephony API and a REST v2 subset as the server, plus drivers for what Planfix sends to a
// relay (employee replies, click-to-call, telephony setup).
import type http from 'node:http';
import { handleChatApi } from './chat-api.ts';
import {
  sendFirstMessage,
  sendReply,
  type FirstMessageArgs,
  type OutboundResult,
  type ReplyArgs,
} from './driver.ts';
import { fieldsOf, parseForm } from './form.ts';
import { HOST, RestartableServer, readBody, sleep, waitFor } from './http.ts';
import { RestApi } from './rest-api.ts';
import {
  DEFAULTS,
  SimState,
  type PlanfixSimOptions,
  type SimAuthor,
  type SimContact,
  type SimEmployee,
  type SimPhone,
  type SimTask,
} from './state.ts';
import { handleTelephonyApi } from './telephony-api.ts';
import {
  sendMakeCall,
  sendPing,
  sendSetup,
  type MakeCallArgs,
  type SetupArgs,
  type TelResult,
  type TelTarget,
} from './telephony-driver.ts';

export type {
  PlanfixSimOptions,
  SimAuthor,
  SimCall,
  SimCallEvent,
  SimComment,
  SimContact,
  SimContactComment,
  SimEmployee,
  SimOutbound,
  SimPhone,
  SimRestCall,
  SimTask,
  SimTelCommand,
  SimTelOutbound,
} from './state.ts';
export type { FirstMessageArgs, OutboundResult, ReplyArgs, SimUser } from './driver.ts';
export type { MakeCallArgs, SetupArgs, TelResult, TelTarget } from './telephony-driver.ts';
export type { Attachment } from './form.ts';
export {
  CONTACT_TEMPLATES,
  DEFAULT_EMPLOYEE,
  ROBOT_EMPLOYEE,
  STATUSES,
  TASK_TEMPLATES,
} from './state.ts';
export { samePhone } from './phones.ts';

/** A phone for addContact: a bare string is a mobile number (type 1) as written. */
export type PhoneInput = string | SimPhone;

export interface AddContactArgs {
  name: string;
  lastName?: string;
  email?: string;
  phones?: PhoneInput[];
  templateId?: number;
  description?: string;
  /** Responsible employee's e-mail. */
  responsible?: string;
}

export interface AddTaskArgs {
  /** The counterparty; omit for a task without one. */
  contactNumber?: number;
  name?: string;
  statusId?: number;
  templateId?: number;
  description?: string;
  /** Values of the template's String fields, by name. */
  fields?: Record<string, string>;
  /** Assignee employees' e-mails. */
  assignees?: string[];
  assigner?: SimAuthor;
  /** Backdates the task (ms since epoch): dateTime and dateOfLastUpdate. */
  createdAt?: number;
}

export type SimMode = 'up' | 'error503' | 'down';

const OUTAGE_PAGE = '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>';

export class PlanfixSim {
  readonly origin: string;
  readonly chatApiUrl: string;
  readonly restUrl: string;
  /** The URL and token an admin copies from Planfix's telephony integration settings. */
  readonly telephonyApiUrl: string;
  readonly telephonyToken: string;
  private mode: SimMode = 'up';
  private delayMs = 0;
  private hold: { path: RegExp; ms: number } | undefined;
  private open = 0;
  private readonly rest: RestApi;

  private constructor(
    private readonly state: SimState,
    private readonly server: RestartableServer,
  ) {
    this.origin = `http://${HOST}:${server.port}`;
    this.chatApiUrl = `${this.origin}/webchat/api`;
    this.restUrl = `${this.origin}/rest`;
    this.telephonyApiUrl = `${this.origin}/tel/api`;
    this.telephonyToken = state.config.telToken;
    this.rest = new RestApi(state);
  }

  static async start(opts: PlanfixSimOptions = {}): Promise<PlanfixSim> {
    const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
    const state = new SimState({ ...DEFAULTS, ...defined });
    let sim: PlanfixSim | undefined;
    const server = new RestartableServer((req, res) => void sim!.onRequest(req, res));
    await server.listen(state.config.port);
    sim = new PlanfixSim(state, server);
    return sim;
  }

  // Live views of the account; tests read them directly.
  get contacts() {
    return this.state.contacts;
  }
  get tasks() {
    return this.state.tasks;
  }
  get contactComments() {
    return this.state.contactComments;
  }
  get commands() {
    return this.state.commands;
  }
  /** Every REST request, refused ones included, each with its ms timestamp. */
  get restCalls() {
    return this.state.restCalls;
  }
  get employees() {
    return this.state.employees;
  }
  /** Every request to the Telephony API with its raw fields and HTTP status. */
  get telephonyCommands() {
    return this.state.telephonyCommands;
  }
  /** Every accepted `event`, parsed; `ignored` says why Planfix did nothing with it. */
  get telephonyEvents() {
    return this.state.telephonyEvents;
  }
  /** One per callid Planfix recorded: the "Звонок" / "Пропущенный звонок" data. */
  get telephonyCalls() {
    return this.state.telephonyCalls;
  }
  /** Every makeCall / setup / ping sent to a relay, with the relay's answer. */
  get telephonyOutbound() {
    return this.state.telephonyOutbound;
  }
  get telephonySettings(): { pbxUrl: string; pbxToken: string } {
    return { ...this.state.telephonySettings };
  }
  get messageStatuses() {
    return this.state.messageStatuses;
  }
  /** Every reply()/firstMessage() sent to a relay, with the relay's answer. */
  get outbound() {
    return this.state.outbound;
  }

  async close(): Promise<void> {
    await this.server.stop();
  }

  /** 'down' closes the port but keeps all state; 'up' reopens the same port. */
  async setMode(mode: SimMode): Promise<void> {
    this.mode = mode;
    if (mode === 'down') await this.server.stop();
    else await this.server.listen(this.server.port);
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /**
   * Holds the requests whose path (and query) matches for `ms` once read, before Planfix acts on
   * them (setDelay delays only the answer): a way to decide which of two racing operations Planfix
   * sees first. Until called again.
   */
  holdBefore(path: RegExp, ms: number): void {
    this.hold = { path, ms };
  }

  /**
   * Requests received and not yet answered. Such a request may have changed the account while its
   * answer never reaches the relay (Planfix going away meanwhile): an operation in flight.
   */
  get openRequests(): number {
    return this.open;
  }

  waitFor<T>(fn: () => T | undefined | false | PromiseLike<T | undefined | false>, timeoutMs?: number): Promise<T> {
    return waitFor(fn, timeoutMs, 'PlanfixSim.waitFor');
  }

  /** Employee action in the Planfix UI (e.g. completing the task), bypassing REST. */
  setTaskStatus(taskNumber: number, statusId: number): void {
    this.state.setStatus(this.mustTask(taskNumber), statusId);
  }

  /** A contact already in the account, its phones stored exactly as written here. */
  addContact(args: AddContactArgs): SimContact {
    return this.state.addContact({
      name: args.name,
      lastName: args.lastName ?? '',
      email: args.email ?? '',
      phones: (args.phones ?? []).map((p) => (typeof p === 'string' ? { number: p, type: 1 } : p)),
      data: args.description ?? '',
      ...(args.templateId !== undefined ? { templateId: args.templateId } : {}),
      ...(args.responsible !== undefined ? { responsible: args.responsible } : {}),
      source: 'seed',
    });
  }

  /** An employee; `ext` is the short number the Telephony API knows them by. */
  addEmployee(args: { email: string; name: string; lastName?: string; ext?: string; phone?: string; role?: SimEmployee['role'] }): SimEmployee {
    return this.state.addEmployee(args);
  }

  /** A task that exists before the test starts (not bound to any chat). */
  addTask(args: AddTaskArgs): SimTask {
    if (args.contactNumber !== undefined && !this.state.contact(args.contactNumber)) {
      throw new Error(`PlanfixSim: no contact ${args.contactNumber}`);
    }
    for (const email of args.assignees ?? []) {
      if (!this.state.employee(email)) throw new Error(`PlanfixSim: no employee ${email}`);
    }
    const contact = args.contactNumber === undefined ? undefined : this.state.contact(args.contactNumber);
    return this.state.addTask({
      name: args.name ?? (contact ? `Task for ${contact.name}` : 'Task'),
      ...(args.contactNumber !== undefined ? { contactNumber: args.contactNumber } : {}),
      ...(args.statusId !== undefined ? { statusId: args.statusId } : {}),
      ...(args.templateId !== undefined ? { templateId: args.templateId } : {}),
      ...(args.description !== undefined ? { description: args.description } : {}),
      ...(args.fields ? { fields: args.fields } : {}),
      ...(args.assigner ? { assigner: args.assigner } : {}),
      ...(args.createdAt !== undefined ? { createdAt: args.createdAt } : {}),
      assignees: { users: args.assignees ?? [], groups: [] },
      source: 'seed',
    });
  }

  /** Contacts holding this number in any spelling (same digits, or same last ten digits). */
  contactsWithPhone(phone: string): SimContact[] {
    return this.state.contactsWithPhone(phone);
  }

  /** The most REST requests that arrived within any `windowMs` span (1 rps ⇒ at most 1). */
  peakRestCalls(windowMs = 1000): number {
    const times = this.state.restCalls.map((c) => c.at).sort((a, b) => a - b);
    let peak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= windowMs) j++;
      peak = Math.max(peak, i - j + 1);
    }
    return peak;
  }

  /** Planfix → relay: an employee clicks a number (click-to-call). */
  makeCall(args: MakeCallArgs): Promise<TelResult> {
    return sendMakeCall(this.state, args);
  }

  /**
   * The admin saves the relay's URL and token in Planfix and switches the integration on.
   * `planfixUrl`: the Telephony API's address as Planfix gives it, when the sim is reached through
   * another origin (the demo's single Planfix address); the relay refuses one off the account's Planfix.
   */
  telephonySetup(args: SetupArgs & { planfixUrl?: string }): Promise<TelResult> {
    return sendSetup(this.state, args.planfixUrl ?? this.telephonyApiUrl, args);
  }

  /** Undocumented Planfix → relay ping (see telephony-driver.ts); for relays that answer one. */
  telephonyPing(args: TelTarget = {}): Promise<TelResult> {
    return sendPing(this.state, args);
  }

  /** Planfix → relay: an employee's reply in an existing chat task. */
  reply(args: ReplyArgs): Promise<OutboundResult> {
    return sendReply(this.state, this.origin, this.mustTask(args.taskNumber), args);
  }

  /** Planfix → relay: an employee starts a conversation from a contact card. */
  firstMessage(args: FirstMessageArgs): Promise<OutboundResult> {
    return sendFirstMessage(this.state, this.origin, args);
  }

  private mustTask(n: number): SimTask {
    const task = this.state.task(n);
    if (!task) throw new Error(`PlanfixSim: no task ${n}`);
    return task;
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.open++;
    res.once('close', () => { this.open--; });
    try {
      const raw = await readBody(req);
      if (this.hold?.path.test(req.url ?? '')) await sleep(this.hold.ms);
      const url = new URL(req.url ?? '/', this.origin);
      const method = req.method ?? 'GET';
      const answer = this.answer(method, url, raw, req.headers);
      if (this.delayMs > 0) await sleep(this.delayMs);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.text);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`sim error: ${String(e)}`);
    }
  }

  private answer(
    method: string,
    url: URL,
    raw: string,
    headers: http.IncomingHttpHeaders,
  ): { status: number; headers: Record<string, string>; text: string } {
    const json = (status: number, body: unknown, extra: Record<string, string> = {}) => ({
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...extra },
      text: JSON.stringify(body),
    });
    const isChat = url.pathname.replace(/\/+$/, '') === '/webchat/api';
    const isTel = url.pathname.replace(/\/+$/, '') === '/tel/api';
    const isRest = url.pathname === '/rest' || url.pathname.startsWith('/rest/');

    if (this.mode === 'error503') {
      if (isChat) {
        const params = fieldsOf(parseForm(raw));
        this.state.commands.push({ cmd: params.cmd ?? '', params, status: 503, at: Date.now() });
      }
      if (isTel) {
        const params = fieldsOf(parseForm(raw));
        this.state.telephonyCommands.push({ cmd: params.cmd ?? '', params, status: 503, at: Date.now() });
      }
      if (isRest) this.state.restCalls.push({ method, path: url.pathname, body: raw, status: 503, at: Date.now() });
      return { status: 503, headers: { 'content-type': 'text/html' }, text: OUTAGE_PAGE };
    }
    if (isChat && method === 'POST') {
      const a = handleChatApi(this.state, raw, headers['content-type'] ?? '');
      // Documented success answer is an empty body.
      return a.body === undefined ? { status: a.status, headers: {}, text: '' } : json(a.status, a.body);
    }
    if (isTel && method === 'POST') {
      const a = handleTelephonyApi(this.state, raw, headers['content-type'] ?? '');
      return a.body === undefined ? { status: a.status, headers: {}, text: '' } : json(a.status, a.body);
    }
    if (isRest) {
      const a = this.rest.handle(method, url, raw, headers.authorization);
      return json(a.status, a.body, a.headers);
    }
    return json(404, { error: 'Not found' });
  }
}
