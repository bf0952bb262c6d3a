import { loadMore, loadTarget, type Loaded } from './api.ts';
import { readConfig } from './config.ts';
import { sameTarget, targetOf, watchNavigation, type Target } from './detect.ts';
import { place, unmount } from './mount.ts';
import { HOST_TAG, Panel, readCollapsed } from './panel.ts';
import { followTheme } from './theme.ts';
import type { WidgetConfig } from './types.ts';

// One widget per page even when the script runs twice (installed twice, or the userscript plus
// a script tag): the marker lives in the DOM, which every isolated world shares.
const MARKER = 'data-planfix-relay';
// The marker needs the root element, which a script run at document-start may not have yet: a
// second copy asks on the document instead, before it sends its data request. Listeners of every
// world hear a DOM event, and the first copy cancels it.
const RUNNING = 'planfix-relay:running';

/** The data of the page the script started on, asked for before the page was parsed. */
interface Early {
  target: Target;
  answer: Promise<Loaded>;
}

function start(cfg: WidgetConfig, early: Early | undefined, collapsed: boolean | undefined): void {
  if (!document.documentElement || document.documentElement.hasAttribute(MARKER)) return;
  document.documentElement.setAttribute(MARKER, '');
  document.querySelectorAll(HOST_TAG).forEach((stale) => stale.remove());

  const panel = new Panel(cfg.language, collapsed);
  const theme = followTheme(panel.host);
  let shown: Target | undefined;
  let lang = document.documentElement.lang;
  let seq = 0;

  /** Into the page (again, after Planfix redraws it); a collapsed default that depends on floating follows. */
  const mount = () => {
    const floating = panel.host.hasAttribute('floating');
    place(panel.host, shown?.kind ?? 'task');
    if (panel.host.hasAttribute('floating') !== floating) panel.refresh();
    theme();
  };

  /** A quiet load refreshes what is shown: a failed try keeps the data. */
  const load = async (target: Target, quiet = false) => {
    const mine = ++seq;
    const asked = early && sameTarget(early.target, target) ? early.answer : loadTarget(cfg, target);
    // Once: coming back to the page later asks again.
    early = undefined;
    const result = await asked;
    // A slower answer for a page the employee has already left must not overwrite the new one.
    if (mine !== seq || (quiet && result.kind === 'error')) return;
    panel.show({ ...result, target });
    // Most tasks and contacts never came through the relay: those get no panel at all, not one saying so.
    if (panel.visible) mount();
    else unmount(panel.host);
    performance.mark('planfix-relay:rendered', { detail: { [target.kind]: target.id, state: result.kind } });
  };
  panel.onRetry = (target) => {
    panel.show({ kind: 'loading', target });
    void load(target);
  };
  panel.onMore = (target, list, after) => loadMore(cfg, target, list, after);
  // Employees keep a task open in a tab while the chat goes on: coming back to it shows what
  // arrived meanwhile (new pages, a call's recording, or the first data of a task that had none).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && shown !== undefined) void load(shown, true);
  });

  const check = () => {
    const target = targetOf(location.pathname);
    if (target === undefined) {
      unmount(panel.host);
      panel.clear();
      shown = undefined;
      seq++;
      return;
    }
    if (!document.body) return;
    if (!sameTarget(target, shown)) {
      // Nothing of the previous page stays on screen while this one's data is on its way.
      unmount(panel.host);
      panel.clear();
      shown = target;
      void load(target);
    } else if (panel.visible) {
      mount();
      if (document.documentElement.lang !== lang) panel.refresh();
    }
    lang = document.documentElement.lang;
  };
  watchNavigation(check);
  check();
}

/**
 * The userscript runs at document-start: the data request goes out at once, while the page loads,
 * and the panel is made once the page is parsed. A script tag may run later: then both at once.
 */
function boot(): void {
  const cfg = readConfig();
  if (!cfg) return;
  if (!document.dispatchEvent(new Event(RUNNING, { cancelable: true }))) return;
  document.addEventListener(RUNNING, (e) => e.preventDefault());
  const target = targetOf(location.pathname);
  const early = target && { target, answer: loadTarget(cfg, target) };
  // A tab's first storage access takes milliseconds: made here, it overlaps the page's loading
  // and the request, instead of delaying the panel once the answer is in.
  const collapsed = readCollapsed();
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => start(cfg, early, collapsed), { once: true });
  else start(cfg, early, collapsed);
}

boot();
