// TaskPage: a fake Planfix task page for the widget's browser tests and the screenshot. It behaves
// as Planfix does where the widget cares: task URLs `/task/<number>`, single-page navigation
// between tasks (pushState, popstate, the content re-rendered from scratch), the known anchor
// `.taskview-actions` present or absent, the interface language on <html lang>, and a light or
// dark theme switched by a class on <html>, without a reload, with a transition as apps do.
//
// Contact pages `/contact/<id>` are there too (a contact's card with its tasks listed), as far as
// the widget cares: their markup is a stand-in, Planfix's own is not known here.
//
// Query switches, kept across its own links: `anchor=0` renders no known anchor, `lang=en|uk|de…`
// (default ru), `theme=dark|bare` (bare: no element paints a background; default light),
// `nav=1,2,3` puts links to those tasks in the top bar.
//
// Given what landed in a Planfix simulator (the demo does), each task page shows that task's name
// and conversation instead of the fixed one, and `/planfix` lists every task (planfix-page.ts).
//
// The userscript is not injected here: the tests install it into the browser the way a
// userscript manager does (test/helpers/browser.ts), so that this page stays plain Planfix.
import type http from 'node:http';
import { HOST, RestartableServer } from './http.ts';
import type { LandedTask } from './landed.ts';
import { escapeHtml, planfixPage } from './planfix-page.ts';

const SCRIPT = `
(() => {
  const params = new URLSearchParams(location.search);
  const data = document.getElementById('landed');
  // Every task's conversation, keyed by number, so single-page navigation needs no request.
  const landed = data ? JSON.parse(data.textContent) : undefined;
  const anchor = params.get('anchor') !== '0';
  const keep = location.search;
  const make = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  function render() {
    const app = document.getElementById('app');
    // A framework re-render: every node of the old view goes, and anything placed next to them.
    app.replaceChildren();
    const c = /^\\/contact\\/(\\d+)/.exec(location.pathname);
    if (c) return renderContact(app, c[1]);
    const m = /^\\/task\\/(\\d+)/.exec(location.pathname);
    if (!m) {
      document.title = 'Tasks';
      app.append(make('h1', 'page-heading', 'Tasks'));
      return;
    }
    const n = m[1];
    document.title = 'Task #' + n;
    const view = make('div', 'taskview');
    const task = landed ? landed[n] : undefined;
    view.append(make('h1', anchor ? 'js-task-title' : 'page-heading', 'Task #' + n + ': ' + (task ? task.name : landed ? 'not in this Planfix' : 'customer request')));
    if (anchor) {
      const actions = make('div', 'taskview-actions');
      for (const label of ['Complete', 'Delegate', 'Postpone']) actions.append(make('button', '', label));
      view.append(actions);
    }
    view.append(make('p', 'description', 'The conversation with the customer is below; the channel data is in the panel.'));
    const comments = !landed ? ['Customer: Hello! Is the blue kettle in stock?', 'Employee: Yes, it is.']
      : (task ? task.messages : []).map((c) => c.author + ': ' + c.text);
    for (const c of comments) view.append(make('div', 'comment', c));
    const link = make('a', '', 'A page link (red: page styles must not reach the panel)');
    link.href = '#';
    view.append(link);
    app.append(view);
  }
  // A contact's card: its name, actions, and the contact's tasks, whose titles carry a class with
  // "task-title" in it as task lists do (the panel must not take one for its anchor).
  function renderContact(app, n) {
    const tasks = landed ? Object.entries(landed).filter(([, t]) => t.contact && String(t.contact.number) === n) : [];
    const contact = tasks.length ? tasks[0][1].contact : undefined;
    document.title = 'Contact #' + n;
    const view = make('div', 'contactview');
    view.append(make('h1', anchor ? 'js-contact-title' : 'page-heading', 'Contact #' + n + ': ' + (contact ? contact.name : landed ? 'not in this Planfix' : 'Olga Petrenko')));
    if (anchor) {
      const actions = make('div', 'contactview-actions');
      for (const label of ['Edit', 'New task', 'Write']) actions.append(make('button', '', label));
      view.append(actions);
    }
    const list = make('ul', 'contact-tasks');
    const rows = tasks.length ? tasks.map(([number, t]) => [number, t.name]) : landed ? [] : [['101', 'Chat on the site'], ['102', 'Viber']];
    for (const [number, name] of rows) {
      const li = make('li', 'contact-tasks__row');
      const a = make('a', 'contact-tasks__task-title', 'Task #' + number + ': ' + name);
      a.href = '/task/' + number + keep;
      li.append(a);
      list.append(li);
    }
    view.append(list);
    app.append(view);
  }
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[data-spa]');
    if (!a) return;
    e.preventDefault();
    history.pushState({}, '', a.getAttribute('href'));
    render();
  });
  addEventListener('popstate', render);
  const setTheme = (name) => {
    document.documentElement.classList.remove('dark', 'bare');
    if (name !== 'light') document.documentElement.classList.add(name);
  };
  window.__sim = { render, setTheme, navigate: (path) => { history.pushState({}, '', path + keep); render(); } };
  render();
})();
`;

/** The tasks as the page script reads them, safe inside <script> (no `<` survives). */
function landedJson(tasks: LandedTask[]): string {
  const byNumber = Object.fromEntries(tasks.map((t) => [t.number, {
    name: t.name, messages: t.messages.map(({ author, text }) => ({ author, text })), contact: t.contact && { number: t.contact.number, name: t.contact.name },
  }]));
  return JSON.stringify(byNumber).replace(/</g, '\\u003c');
}

function html(search: URLSearchParams, tasks?: LandedTask[]): string {
  const lang = /^[a-z]{2}(?:-[A-Z]{2})?$/.test(search.get('lang') ?? '') ? search.get('lang') : 'ru';
  const theme = ['dark', 'bare'].includes(search.get('theme') ?? '') ? search.get('theme') : '';
  const keep = search.toString() ? `?${search.toString()}` : '';
  const nav = (search.get('nav') ?? '').split(',').filter((n) => /^\d+$/.test(n))
    .map((n) => `<a data-spa href="/task/${n}${escapeHtml(keep)}">Task #${n}</a>`).join(' ');
  return `<!doctype html>
<html lang="${lang}" class="${theme}"><head><meta charset="utf-8"><title>Planfix</title>
<style>
  body { margin: 0; font: 14px/1.5 Arial, sans-serif; background: #eef1f4; color: #222; transition: background-color .2s, color .2s; }
  .topbar { display: flex; gap: 16px; align-items: center; padding: 10px 20px; background: #2b3a4a; color: #fff; }
  .topbar a { color: #cfe3ff; }
  #app { max-width: 760px; margin: 20px auto; padding: 20px 24px; background: #fff; border-radius: 6px; transition: background-color .2s; }
  h1 { margin: 0 0 10px; font-size: 20px; }
  .taskview-actions { display: flex; gap: 8px; }
  .taskview-actions button { padding: 4px 12px; }
  .comment { margin: 8px 0; padding: 8px 12px; background: #f6f8fa; border-radius: 4px; white-space: pre-wrap; }
  html.dark body { background: #15191e; color: #d8dde3; }
  html.dark #app { background: #1d2329; }
  html.dark .comment { background: #262d35; }
  html.bare body, html.bare #app, html.bare .topbar, html.bare .comment { background: none; }
  /* Hostile page rules: the panel's shadow root must keep them out. */
  #app a, #app dd, #app dt, #app h3, #app li { color: rgb(255, 0, 0) !important; font-family: serif; }
  #app section { border: 3px solid rgb(255, 0, 0); }
</style></head>
<body><div class="topbar"><strong>Planfix</strong><a data-spa href="/tasks${escapeHtml(keep)}">Tasks</a>${nav}${tasks ? `<a href="/planfix${escapeHtml(keep)}">What landed</a>` : ''}</div>
<div id="app"></div>
${tasks ? `<script type="application/json" id="landed">${landedJson(tasks)}</script>\n` : ''}<script>${SCRIPT}</script></body></html>`;
}

/** A short, quiet tone as 8 kHz 8-bit mono WAV: something a browser can really play. */
function wav(seconds = 0.4): Buffer {
  const rate = 8000;
  const samples = Buffer.alloc(Math.round(rate * seconds));
  for (let i = 0; i < samples.length; i++) samples[i] = 128 + Math.round(20 * Math.sin((2 * Math.PI * 440 * i) / rate));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + samples.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.write('data', 36);
  h.writeUInt32LE(samples.length, 40);
  return Buffer.concat([h, samples]);
}

export class TaskPage {
  readonly origin: string;
  /** Full document loads (path and query): single-page navigation adds none. */
  readonly loads: string[] = [];
  /** Requests for call recordings (a player with preload="none" makes none until played). */
  readonly recordingRequests: string[] = [];
  private readonly recording = wav();

  private constructor(private readonly server: RestartableServer, private readonly landed?: () => LandedTask[]) {
    this.origin = `http://${HOST}:${server.port}`;
  }

  /** `landed`: what the pages show of a Planfix simulator's tasks (see landed.ts); read at each load. */
  static async start(opts: { port?: number; landed?: () => LandedTask[] } = {}): Promise<TaskPage> {
    let page: TaskPage | undefined;
    const server = new RestartableServer((req, res) => page!.onRequest(req, res));
    await server.listen(opts.port ?? 0);
    page = new TaskPage(server, opts.landed);
    return page;
  }

  /** A task page URL; `nav` lists tasks the page links to (single-page navigation). */
  url(task: number | string, opts: { anchor?: boolean; lang?: string; theme?: 'dark' | 'bare'; nav?: number[] } = {}): string {
    const q = new URLSearchParams();
    if (opts.anchor === false) q.set('anchor', '0');
    if (opts.lang) q.set('lang', opts.lang);
    if (opts.theme) q.set('theme', opts.theme);
    if (opts.nav?.length) q.set('nav', opts.nav.join(','));
    const path = typeof task === 'number' ? `/task/${task}` : task;
    return `${this.origin}${path}${q.size ? `?${q}` : ''}`;
  }

  /** A Planfix contact page's URL (`/contact/<id>`), with the same switches as a task page's. */
  contactUrl(id: number, opts: { anchor?: boolean; lang?: string; theme?: 'dark' | 'bare' } = {}): string {
    return this.url(`/contact/${id}`, opts);
  }

  recordingUrl(name: string): string {
    return `${this.origin}/recordings/${name}.wav`;
  }

  async close(): Promise<void> {
    await this.server.stop();
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (/^\/recordings\/[\w-]+\.wav$/.test(url.pathname)) {
      this.recordingRequests.push(url.pathname);
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': this.recording.length, 'accept-ranges': 'none' });
      res.end(this.recording);
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(404).end();
    } else if (url.pathname === '/planfix' && this.landed) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(planfixPage(this.landed(), url.searchParams));
    } else {
      this.loads.push(url.pathname + url.search);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html(url.searchParams, this.landed?.()));
    }
  }
}
