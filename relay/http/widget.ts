import type Router from '@koa/router';
import { readAsset } from './assets.ts';
import { newRouter } from './router.ts';
import type { Context } from 'koa';
import type { ContactData, TaskData, WidgetConfig } from '../../widget/types.ts';
import type { Relay } from '../context.ts';
import { planfixOrigin, type Account } from '../core/account.ts';
import { localeOf } from '../core/locale.ts';
import { AuthError, HttpError } from '../errors.ts';
import type { TaskView } from '../store/records.ts';
import { safeEqual } from './secure.ts';
import { customerData, customerOf, historyList, readCursor, seedOfTask, widgetCall, widgetChannel, type HistoryListName } from './widget-customer.ts';

interface Bundle {
  code: string;
  /** Userscript managers update only to a higher @version: the bundle's build time gives one. */
  version: string;
}

/** dist/widget.js, with a version from its build time. */
function loadBundle(): Bundle | undefined {
  const asset = readAsset('widget.js');
  if (!asset) return undefined;
  const t = asset.builtAt;
  const two = (n: number) => String(n).padStart(2, '0');
  const version = `${t.getUTCFullYear()}.${two(t.getUTCMonth() + 1)}${two(t.getUTCDate())}.${two(t.getUTCHours())}${two(t.getUTCMinutes())}${two(t.getUTCSeconds())}`;
  return { code: asset.text, version };
}

/** Where an employee installs the account's userscript; it carries the key, as the script does. */
export function userscriptUrl(publicUrl: string, a: Account): string {
  return `${publicUrl}/widget/${a.id}.user.js?key=${encodeURIComponent(a.widget.key)}`;
}

/** JSON safe inside a script: no `</script>`, no line separators that older parsers choke on. */
function jsLiteral(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function userscript(publicUrl: string, a: Account, bundle: Bundle): string {
  const origin = planfixOrigin(a);
  const self = userscriptUrl(publicUrl, a);
  const config: WidgetConfig = { relayUrl: publicUrl, accountId: a.id, key: a.widget.key, language: localeOf(a).language };
  const name = a.name.replace(/[\r\n\u2028\u2029]+/g, ' ').slice(0, 100);
  return `// ==UserScript==
// @name         Planfix relay widget: ${name}
// @namespace    ${publicUrl}/widget/${a.id}
// @version      ${bundle.version}
// @description  Channel data in Planfix task and contact views: visitor, pages, UTM, calls with recordings, the customer's history
// @match        ${origin}/task/*
// @match        ${origin}/*
// @noframes
// @run-at       document-start
// @grant        GM_xmlhttpRequest
// @connect      ${new URL(publicUrl).hostname}
// @updateURL    ${self}
// @downloadURL  ${self}
// ==/UserScript==
// The second @match is there because Planfix is a single-page app: an employee who opens the
// task list first reaches a task without a page load; the widget shows only on /task/<number>
// and /contact/<id>.
(function () {
  'use strict';
  var __PLANFIX_RELAY__ = ${jsLiteral(config)};
  var __PLANFIX_RELAY_REQUEST__ = typeof GM_xmlhttpRequest === 'function' ? GM_xmlhttpRequest : undefined;
${bundle.code}
})();
`;
}

/** The task's metadata as the widget reads it: channel names as they are now, no internal ids. */
function taskData(a: Account, task: number, v: TaskView): TaskData {
  const chat = v.chat;
  return {
    task,
    ...(chat ? {
      chat: {
        channel: widgetChannel(a, chat.channel.id, chat.channel)!,
        customer: chat.customer,
        visitor: chat.visitor,
        pages: chat.pages,
        referrer: chat.referrer,
        landing: chat.landing,
        utm: chat.utm,
        dashboardUrl: chat.dashboardUrl,
        siteData: chat.siteData,
      },
    } : {}),
    // The task's own calls: the task they are on goes without saying.
    calls: v.calls.map((c) => { const { task: _task, ...rest } = widgetCall(a, c); return rest; }),
  };
}

/** A task number or a Planfix contact id from the path; anything else is nothing the relay has. */
function numberParam(raw: string | undefined, what: string): number {
  const n = raw && /^\d{1,12}$/.test(raw) ? Number(raw) : 0;
  if (!n) throw new HttpError(404, `no channel data for this ${what}`);
  return n;
}

function listParam(raw: string | undefined): HistoryListName {
  if (raw !== 'conversations' && raw !== 'calls') throw new HttpError(404, 'no such list: conversations or calls');
  return raw;
}

/**
 * GET /widget.js (the bundle), GET /widget/<account>.user.js?key= (the userscript) and the data
 * API (X-Widget-Key), readable from the Planfix origin only: GET /widget/<account>/tasks/<number>
 * and /widget/<account>/contacts/<Planfix contact id>, and the next pages of their customer's
 * history at …/history/conversations|calls?after=.
 */
export function widgetRouter(relay: Relay): Router {
  const router = newRouter();
  const bundle = loadBundle();
  if (!bundle) relay.log.warn('dist/widget.js not found: /widget.js and the userscripts answer 503 until the widget is built');
  const built = () => {
    if (!bundle) throw new HttpError(503, 'the widget bundle is not built (npm run build)');
    return bundle;
  };
  const keyOk = (a: Account | undefined, key: string): a is Account => !!a && !!key && safeEqual(key, a.widget.key);

  router.get('/widget.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = built().code;
  });

  router.get('/widget/:accountId.user.js', (ctx) => {
    const a = relay.accounts.get(ctx.params.accountId!);
    ctx.set('Cache-Control', 'no-store');
    // The script holds the key; without it this URL hands out nothing.
    if (!keyOk(a, String(ctx.query.key ?? ''))) throw new AuthError('widget', 401, 'wrong or old widget key: take the current userscript link from the admin page');
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = userscript(relay.publicUrl(), a, built());
  });

  /** Grants CORS to the account's own Planfix origin, and to nothing else. */
  const cors = (ctx: Context, a: Account | undefined): boolean => {
    ctx.vary('Origin');
    const origin = ctx.get('origin');
    if (!a || !origin || origin !== planfixOrigin(a)) return false;
    ctx.set('Access-Control-Allow-Origin', origin);
    return true;
  };

  // The data API: a task, a Planfix contact, and the next pages of either's customer history.
  const tasks = '/widget/:accountId/tasks/:task';
  const contacts = '/widget/:accountId/contacts/:contact';
  const paths = [tasks, `${tasks}/history/:list`, contacts, `${contacts}/history/:list`];
  for (const path of paths) {
    router.options(path, (ctx) => {
      if (!cors(ctx, relay.accounts.get(ctx.params.accountId!))) throw new HttpError(403, 'origin not allowed');
      ctx.set('Access-Control-Allow-Methods', 'GET');
      ctx.set('Access-Control-Allow-Headers', 'X-Widget-Key');
      ctx.set('Access-Control-Max-Age', '600');
      // A relay on a private network called from Planfix on the internet (Chrome's Private Network Access).
      if (ctx.get('access-control-request-private-network') === 'true') ctx.set('Access-Control-Allow-Private-Network', 'true');
      ctx.status = 204;
    });
  }

  /** The account whose key the request carries; CORS first, so that the widget can read a 401 and ask for a reinstall. */
  const account = (ctx: Context): Account => {
    const a = relay.accounts.get(ctx.params.accountId!);
    ctx.set('Cache-Control', 'no-store');
    cors(ctx, a);
    if (!keyOk(a, ctx.get('x-widget-key'))) throw new AuthError('widget', 401, 'wrong or old widget key: reinstall the userscript from the admin page');
    return a;
  };

  /** The task's data and who its customer is; 404 when the relay knows nothing of the task. */
  const taskOf = async (ctx: Context) => {
    const a = account(ctx);
    const task = numberParam(ctx.params.task, 'task');
    const state = relay.store.state(a.id);
    const view = await state.taskView(task);
    if (!view) throw new HttpError(404, 'no channel data for this task');
    return { a, task, state, view, who: await customerOf(state, await seedOfTask(state, task, view)) };
  };

  /** A Planfix contact's customer; 404 unless the relay knows them: a call of theirs, or a chat customer with their number. */
  const contactOf = async (ctx: Context) => {
    const a = account(ctx);
    const contact = numberParam(ctx.params.contact, 'contact');
    const state = relay.store.state(a.id);
    const who = await customerOf(state, { keys: [], planfix: [contact] });
    if (!who.keys.length && !(await state.customerCalls([`pf:${contact}`], { limit: 1 })).items.length) throw new HttpError(404, 'no channel data for this contact');
    return { a, contact, state, who };
  };

  router.get(tasks, async (ctx) => {
    const { a, task, state, view, who } = await taskOf(ctx);
    const customer = await customerData(a, state, who, task, { conversations: view.chat ? 1 : 0, calls: view.calls.length });
    ctx.body = { ...taskData(a, task, view), ...(customer ? { customer } : {}) } satisfies TaskData;
  });

  router.get(`${tasks}/history/:list`, async (ctx) => {
    const { a, task, state, who } = await taskOf(ctx);
    const list = listParam(ctx.params.list);
    ctx.body = await historyList(a, state, who, list, readCursor(ctx.query.after), task);
  });

  router.get(contacts, async (ctx) => {
    const { a, contact, state, who } = await contactOf(ctx);
    const customer = await customerData(a, state, who);
    if (!customer) throw new HttpError(404, 'no channel data for this contact');
    ctx.body = { contact, customer } satisfies ContactData;
  });

  router.get(`${contacts}/history/:list`, async (ctx) => {
    const { a, state, who } = await contactOf(ctx);
    const list = listParam(ctx.params.list);
    ctx.body = await historyList(a, state, who, list, readCursor(ctx.query.after));
  });

  return router;
}
