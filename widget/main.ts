import { loadTask } from './api.ts';
import { readConfig } from './config.ts';
import { taskNumberOf, watchNavigation } from './detect.ts';
import { place, unmount } from './mount.ts';
import { HOST_TAG, Panel } from './panel.ts';
import { followTheme } from './theme.ts';

// One widget per page even when the script runs twice (installed twice, or the userscript plus
// a script tag): the marker lives in the DOM, which every isolated world shares.
const MARKER = 'data-planfix-relay';

function start(): void {
  const cfg = readConfig();
  if (!cfg || !document.documentElement || document.documentElement.hasAttribute(MARKER)) return;
  document.documentElement.setAttribute(MARKER, '');
  document.querySelectorAll(HOST_TAG).forEach((stale) => stale.remove());

  const panel = new Panel(cfg.language);
  const theme = followTheme(panel.host);
  let shown: number | undefined;
  let lang = document.documentElement.lang;
  let seq = 0;

  /** Into the page (again, after Planfix redraws it); a collapsed default that depends on floating follows. */
  const mount = () => {
    const floating = panel.host.hasAttribute('floating');
    place(panel.host);
    if (panel.host.hasAttribute('floating') !== floating) panel.refresh();
    theme();
  };

  /** A quiet load refreshes what is shown: a failed try keeps the data. */
  const load = async (task: number, quiet = false) => {
    const mine = ++seq;
    const result = await loadTask(cfg, task);
    // A slower answer for a task the employee has already left must not overwrite the new one.
    if (mine !== seq || (quiet && result.kind === 'error')) return;
    panel.show({ ...result, task });
    // Most tasks never came through the relay: those get no panel at all, not one saying so.
    if (panel.visible) mount();
    else unmount(panel.host);
    performance.mark('planfix-relay:rendered', { detail: { task, state: result.kind } });
  };
  panel.onRetry = (task) => {
    panel.show({ kind: 'loading', task });
    void load(task);
  };
  // Employees keep a task open in a tab while the chat goes on: coming back to it shows what
  // arrived meanwhile (new pages, a call's recording, or the first data of a task that had none).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && shown !== undefined) void load(shown, true);
  });

  const check = () => {
    const task = taskNumberOf(location.pathname);
    if (task === undefined) {
      unmount(panel.host);
      panel.clear();
      shown = undefined;
      seq++;
      return;
    }
    if (!document.body) return;
    if (task !== shown) {
      // Nothing of the previous task stays on screen while this one's data is on its way.
      unmount(panel.host);
      panel.clear();
      shown = task;
      void load(task);
    } else if (panel.visible) {
      mount();
      if (document.documentElement.lang !== lang) panel.refresh();
    }
    lang = document.documentElement.lang;
  };
  watchNavigation(check);
  check();
}

start();
