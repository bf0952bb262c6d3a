// PlanfixSim: a fake Planfix account over real HTTP on 127.0.0.1 — the Chat API and a
// REST v2 subset as the server, plus a driver for Planfix → relay employee replies.
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
import { DEFAULTS, STATUSES, SimState, type PlanfixSimOptions, type SimTask } from './state.ts';

export type {
  PlanfixSimOptions,
  SimAuthor,
  SimComment,
  SimContact,
  SimOutbound,
  SimTask,
} from './state.ts';
export type { FirstMessageArgs, OutboundResult, ReplyArgs, SimUser } from './driver.ts';
export type { Attachment } from './form.ts';
export { STATUSES } from './state.ts';

export type SimMode = 'up' | 'error503' | 'down';

const OUTAGE_PAGE = '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>';

export class PlanfixSim {
  readonly origin: string;
  readonly chatApiUrl: string;
  readonly restUrl: string;
  private mode: SimMode = 'up';
  private delayMs = 0;
  private readonly rest: RestApi;

  private constructor(
    private readonly state: SimState,
    private readonly server: RestartableServer,
  ) {
    this.origin = `http://${HOST}:${server.port}`;
    this.chatApiUrl = `${this.origin}/webchat/api`;
    this.restUrl = `${this.origin}/rest`;
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
  get restCalls() {
    return this.state.restCalls;
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

  waitFor<T>(fn: () => T | undefined | false | PromiseLike<T | undefined | false>, timeoutMs?: number): Promise<T> {
    return waitFor(fn, timeoutMs, 'PlanfixSim.waitFor');
  }

  /** Employee action in the Planfix UI (e.g. completing the task), bypassing REST. */
  setTaskStatus(taskNumber: number, statusId: number): void {
    const task = this.mustTask(taskNumber);
    const status = STATUSES.find((s) => s.id === statusId);
    if (!status) throw new Error(`PlanfixSim: unknown status ${statusId}`);
    task.statusId = status.id;
    task.active = status.isActive;
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
    try {
      const raw = await readBody(req);
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
    const isRest = url.pathname === '/rest' || url.pathname.startsWith('/rest/');

    if (this.mode === 'error503') {
      if (isChat) {
        const params = fieldsOf(parseForm(raw));
        this.state.commands.push({ cmd: params.cmd ?? '', params, status: 503, at: Date.now() });
      }
      if (isRest) this.state.restCalls.push({ method, path: url.pathname, body: raw, status: 503, at: Date.now() });
      return { status: 503, headers: { 'content-type': 'text/html' }, text: OUTAGE_PAGE };
    }
    if (isChat && method === 'POST') {
      const a = handleChatApi(this.state, raw, headers['content-type'] ?? '');
      // Documented success answer is an empty body.
      return a.body === undefined ? { status: a.status, headers: {}, text: '' } : json(a.status, a.body);
    }
    if (isRest) {
      const a = this.rest.handle(method, url, raw, headers.authorization);
      return json(a.status, a.body, a.headers);
    }
    return json(404, { error: 'Not found' });
  }
}
