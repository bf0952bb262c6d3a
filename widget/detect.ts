/** Planfix task pages are `/task/<number>` (optionally followed by a sub-path, query or hash). */
export function taskNumberOf(path: string): number | undefined {
  const m = /^\/task\/(\d{1,12})(?:[/?#]|$)/.exec(path);
  return m ? Number(m[1]) : undefined;
}

/**
 * Calls `onChange` (coalesced) whenever the task shown may have changed: Planfix is a single-page
 * app that moves between tasks with the History API and re-renders parts of the page at will.
 * Wrapping pushState/replaceState is only a shortcut: a userscript manager's isolated world may
 * not see the page's own calls, which the MutationObserver and popstate catch anyway.
 */
export function watchNavigation(onChange: () => void): void {
  let queued = false;
  const schedule = () => {
    if (queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      onChange();
    }, 0);
  };
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = history[name];
    history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
      const r = original.apply(this, args);
      schedule();
      return r;
    };
  }
  addEventListener('popstate', schedule);
  addEventListener('hashchange', schedule);
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['lang'] });
}

/** What a Planfix page is about: a task (`/task/<number>`) or a contact (`/contact/<id>`). */
export interface Target {
  kind: 'task' | 'contact';
  id: number;
}

export function targetOf(path: string): Target | undefined {
  const task = taskNumberOf(path);
  if (task !== undefined) return { kind: 'task', id: task };
  const m = /^\/contact\/(\d{1,12})(?:[/?#]|$)/.exec(path);
  return m ? { kind: 'contact', id: Number(m[1]) } : undefined;
}

export const sameTarget = (a: Target | undefined, b: Target | undefined) => a?.kind === b?.kind && a?.id === b?.id;
