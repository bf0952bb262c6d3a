import type Router from '@koa/router';
import { readAsset } from './assets.ts';
import { newRouter } from './router.ts';
import type { Context } from 'koa';
import { adapters } from '../channels/index.ts';
import type { TaskData, WidgetChannel, WidgetConfig } from '../../widget/types.ts';
import type { Relay } from '../context.ts';
import { planfixOrigin, type Account } from '../core/account.ts';
import { localeOf } from '../core/locale.ts';
import { AuthError, HttpError } from '../errors.ts';
import type { TaskView } from '../store/records.ts';
import { safeEqual } from './secure.ts';

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
// @description  Channel data in Planfix task views: visitor, pages, UTM, calls with recordings
// @match        ${origin}/task/*
// @match        ${origin}/*
// @noframes
// @run-at       document-end
// @grant        GM_xmlhttpRequest
// @connect      ${new URL(publicUrl).hostname}
// @updateURL    ${self}
// @downloadURL  ${self}
// ==/UserScript==
// The second @match is there because Planfix is a single-page app: an employee who opens the
// task list first reaches a task without a page load; the widget shows only on /task/<number>.
(function () {
  'use strict';
  var __PLANFIX_RELAY__ = ${jsLiteral(config)};
  var __PLANFIX_RELAY_REQUEST__ = typeof GM_xmlhttpRequest === 'function' ? GM_xmlhttpRequest : undefined;
${bundle.code}
})();
`;
}

const titleOf = (kind: string) => adapters[kind]?.title ?? kind;

/** The task's metadata as the widget reads it: channel names as they are now, no internal ids. */
function taskData(a: Account, task: number, v: TaskView): TaskData {
  const channel = (id: string, fallback?: WidgetChannel): WidgetChannel | undefined => {
    const c = a.channels.find((x) => x.id === id);
    return c ? { kind: c.kind, title: titleOf(c.kind), name: c.name } : fallback;
  };
  const chat = v.chat;
  return {
    task,
    ...(chat ? {
      chat: {
        channel: channel(chat.channel.id, { kind: chat.channel.kind, title: titleOf(chat.channel.kind), name: chat.channel.name })!,
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
    calls: v.calls.map((c) => ({
      at: c.at, direction: c.direction, status: c.status, phone: c.phone, durationSec: c.durationSec,
      employee: c.employee, recordingUrl: c.recordingUrl, cardUrl: c.cardUrl, analyticsId: c.analyticsId, utm: c.utm, channel: channel(c.channel),
    })),
  };
}

/**
 * GET /widget.js (the bundle), GET /widget/<account>.user.js?key= (the userscript) and the data
 * API GET /widget/<account>/tasks/<number> (X-Widget-Key), readable from the Planfix origin only.
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

  const tasks = '/widget/:accountId/tasks/:task';
  router.options(tasks, (ctx) => {
    if (!cors(ctx, relay.accounts.get(ctx.params.accountId!))) throw new HttpError(403, 'origin not allowed');
    ctx.set('Access-Control-Allow-Methods', 'GET');
    ctx.set('Access-Control-Allow-Headers', 'X-Widget-Key');
    ctx.set('Access-Control-Max-Age', '600');
    // A relay on a private network called from Planfix on the internet (Chrome's Private Network Access).
    if (ctx.get('access-control-request-private-network') === 'true') ctx.set('Access-Control-Allow-Private-Network', 'true');
    ctx.status = 204;
  });

  router.get(tasks, async (ctx) => {
    const a = relay.accounts.get(ctx.params.accountId!);
    ctx.set('Cache-Control', 'no-store');
    // Before the key check, so that the widget can read a 401 and ask for a reinstall.
    cors(ctx, a);
    if (!keyOk(a, ctx.get('x-widget-key'))) throw new AuthError('widget', 401, 'wrong or old widget key: reinstall the userscript from the admin page');
    const task = /^\d{1,12}$/.test(ctx.params.task!) ? Number(ctx.params.task) : undefined;
    if (!task) throw new HttpError(404, 'no channel data for this task');
    const view = await relay.store.state(a.id).taskView(task);
    if (!view) throw new HttpError(404, 'no channel data for this task');
    ctx.body = taskData(a, task, view);
  });

  return router;
}
