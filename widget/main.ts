import { loadTask } from './api.ts';
import { readConfig } from './config.ts';
import { taskNumberOf, watchNavigation } from './detect.ts';
import { place, unmount } from './mount.ts';
import { HOST_TAG, Panel } from './panel.ts';

// One widget per page even when the script runs twice (installed twice, or the userscript plus
// a script tag): the marker lives in the DOM, which every isolated world shares.
const MARKER = 'data-planfix-relay';

function start(): void {
  const cfg = readConfig();
  if (!cfg || !document.documentElement || document.documentElement.hasAttribute(MARKER)) return;
  document.documentElement.setAttribute(MARKER, '');
  document.querySelectorAll(HOST_TAG).forEach((stale) => stale.remove());

  const panel = new Panel();
  let shown: number | undefined;
  let lang = document.documentElement.lang;
  let seq = 0;

  /** A quiet load refreshes what is shown: no "loading" flash, and a failed try keeps the data. */
  const load = async (task: number, quiet = false) => {
    const mine = ++seq;
    if (!quiet) panel.show({ kind: 'loading', task });
    const result = await loadTask(cfg, task);
    // A slower answer for a task the employee has already left must not overwrite the new one.
    if (mine !== seq || (quiet && result.kind === 'error')) return;
    panel.show({ ...result, task });
    performance.mark('planfix-relay:rendered', { detail: { task, state: result.kind } });
  };
  panel.onRetry = (task) => void load(task);
  // Employees keep a task open in a tab while the chat goes on: coming back to it shows what
  // arrived meanwhile (new pages, a call's recording).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && shown !== undefined) void load(shown, true);
  });

  const check = () => {
    const task = taskNumberOf(location.pathname);
    if (task === undefined) {
      unmount(panel.host);
      shown = undefined;
      seq++;
      return;
    }
    if (!document.body) return;
    place(panel.host);
    if (task !== shown) {
      shown = task;
      void load(task);
    } else if (document.documentElement.lang !== lang) {
      panel.refresh();
    }
    lang = document.documentElement.lang;
  };
  watchNavigation(check);
  check();
}

start();
