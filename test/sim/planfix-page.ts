// The demo's "Planfix" page: everything that landed in the simulated Planfix on one page, drawn
// on the server so it reads without scripts. Each task links to its task page, where the widget
// adds the channel data.
import type { LandedCall, LandedTask } from './landed.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

function call(c: LandedCall): string {
  const length = c.duration !== undefined ? `, ${c.duration} s` : '';
  const record = c.recordLink ? ` · <a href="${escapeHtml(c.recordLink)}">recording</a>` : '';
  return `<li>${time(c.at)} ${c.type === 'in' ? 'incoming' : 'outgoing'} ${escapeHtml(c.phone)}: ${escapeHtml(c.outcome)}${length}${record}</li>`;
}

function task(t: LandedTask, keep: string): string {
  const contact = t.contact
    ? `<p class="contact">Contact #${t.contact.number}: <strong>${escapeHtml(t.contact.name)}</strong>${[...t.contact.phones, t.contact.email].filter(Boolean).map((x) => ` · ${escapeHtml(x)}`).join('')}</p>`
    : '<p class="contact">No contact</p>';
  const messages = t.messages.length
    ? `<ol class="messages">${t.messages.map((m) => `<li class="${m.fromCustomer ? 'customer' : 'employee'}"><span class="who">${time(m.at)} ${escapeHtml(m.author)}</span><span class="text">${escapeHtml(m.text)}</span></li>`).join('')}</ol>`
    : '<p class="none">No messages</p>';
  const calls = t.calls.length ? `<h3>Calls</h3><ul class="calls">${t.calls.map(call).join('')}</ul>` : '';
  return `<section class="task" id="task-${t.number}">
<h2><a href="/task/${t.number}${escapeHtml(keep)}">Task #${t.number}</a>: ${escapeHtml(t.name)}${t.active ? '' : ' <small>(completed)</small>'}</h2>
${contact}${messages}${calls}</section>`;
}

export function planfixPage(tasks: LandedTask[], search: URLSearchParams): string {
  const keep = search.toString() ? `?${search.toString()}` : '';
  const body = tasks.length ? tasks.map((t) => task(t, keep)).join('\n') : '<p class="none">Nothing has landed yet.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Planfix: what landed</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { margin: 0; font: 14px/1.5 Arial, sans-serif; background: #eef1f4; color: #222; }
  .topbar { padding: 10px 20px; background: #2b3a4a; color: #fff; }
  main { max-width: 860px; margin: 20px auto; padding: 0 12px; }
  .task { margin: 0 0 16px; padding: 16px 20px; background: #fff; border-radius: 6px; }
  h2 { margin: 0 0 6px; font-size: 17px; }
  h3 { margin: 10px 0 4px; font-size: 14px; }
  .messages { margin: 0; padding: 0; list-style: none; }
  .messages li { margin: 6px 0; padding: 6px 10px; border-radius: 4px; background: #f6f8fa; }
  .messages li.employee { background: #e8f3ea; }
  .who { display: block; color: #667; font-size: 12px; }
  .text { white-space: pre-wrap; overflow-wrap: anywhere; }
  .none { color: #667; }
</style></head>
<body><div class="topbar"><strong>Planfix</strong> · what the relay wrote into the simulated account (reload to see more)</div>
<main><h1>Tasks (${tasks.length})</h1>
${body}
</main></body></html>`;
}
