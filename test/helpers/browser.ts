import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

/** Debian's Chromium (the test command installs it); never a browser build downloaded by Playwright. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium for the widget tests. Playwright gives every launch a fresh temporary
 * user-data directory (removed on close), and each test its own context, so no profile, cookie
 * or localStorage carries over between runs or tests.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run the tests with npm test, or: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      // The call test starts the recording from a script, without a click.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A userscript's `// @match` patterns, as regular expressions over the whole URL. */
export function matchPatterns(userscript: string): string[] {
  return [...userscript.matchAll(/^\/\/ @match\s+(\S+)\s*$/gm)].map(([, glob]) =>
    `^${glob!.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);
}

/** A userscript's `// @run-at`; managers default to document-end. */
export function runAt(userscript: string): string {
  return /^\/\/ @run-at\s+(\S+)\s*$/m.exec(userscript)?.[1] ?? 'document-end';
}

/**
 * The script a userscript manager would run for this userscript on every page of the context:
 * only in the top frame (@noframes), only where an @match matches, when its @run-at says (at
 * document-start before the page's own scripts, as the document is made; otherwise once it is
 * parsed), with GM_xmlhttpRequest in scope. The shim is built on the page's fetch,
 * so unlike Tampermonkey's it is bound by CORS: the tests thereby also cover the relay's CORS
 * grant to the Planfix origin, the path the bundle takes where no manager lends its request.
 */
export function managerScript(userscript: string): string {
  return `(() => {
  if (window.top !== window) return;
  const matches = ${JSON.stringify(matchPatterns(userscript))}.map((s) => new RegExp(s));
  if (!matches.some((r) => r.test(location.href))) return;
  const GM_xmlhttpRequest = (d) => {
    fetch(d.url, { method: d.method, headers: d.headers, credentials: 'omit' })
      .then(async (r) => d.onload({ status: r.status, responseText: await r.text() }), () => d.onerror());
  };
  const run = () => new Function('GM_xmlhttpRequest', ${JSON.stringify(userscript)})(GM_xmlhttpRequest);
  if (${runAt(userscript) !== 'document-start'} && document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run, { once: true });
  else run();
})();`;
}

/**
 * A browser context with the userscript installed, as an employee's browser with Tampermonkey;
 * `options` for another window size or the system's colour scheme.
 */
export async function contextWithUserscript(browser: Browser, userscript: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 820 }, ...options });
  // A panel that never shows fails its test in seconds, well inside AVA's own timeout.
  context.setDefaultTimeout(10_000);
  await context.addInitScript({ content: managerScript(userscript) });
  return context;
}
