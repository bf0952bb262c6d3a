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

  const load = async (task: number) => {
    const mine = ++seq;
    panel.show({ kind: 'loading', task });
    const result = await loadTask(cfg, task);
    // A slower answer for a task the employee has already left must not overwrite the new one.
    if (mine !== seq) return;
    panel.show({ ...result, task });
    performance.mark('planfix-relay:rendered', { detail: { task, state: result.kind } });
  };
  panel.onRetry = (task) => void load(task);

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
