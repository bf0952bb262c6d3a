import type { WidgetConfig } from './types.ts';

/** The subset of the userscript managers' GM_xmlhttpRequest the widget uses. */
export type GmRequest = (details: {
  method: 'GET';
  url: string;
  headers: Record<string, string>;
  timeout: number;
  onload: (r: { status: number; responseText: string }) => void;
  onerror: () => void;
  ontimeout: () => void;
}) => void;

// Set by the userscript around the bundle (lexical variables, not globals: a userscript
// manager's sandbox window is not the page's).
declare const __PLANFIX_RELAY__: WidgetConfig | undefined;
declare const __PLANFIX_RELAY_REQUEST__: GmRequest | undefined;

/**
 * The userscript's settings, or a plain `<script src=".../widget.js" data-account data-key>`
 * tag's (`data-lang` optional): the bundle is also served on its own for other ways of injecting it.
 */
export function readConfig(): WidgetConfig | undefined {
  if (typeof __PLANFIX_RELAY__ !== 'undefined' && __PLANFIX_RELAY__) return __PLANFIX_RELAY__;
  const script = document.currentScript as HTMLScriptElement | null;
  const d = script?.dataset;
  if (!d?.account || !d.key || !script?.src) return undefined;
  return { relayUrl: d.relay ?? new URL(script.src).origin, accountId: d.account, key: d.key, language: d.lang };
}

export function gmRequest(): GmRequest | undefined {
  return typeof __PLANFIX_RELAY_REQUEST__ === 'function' ? __PLANFIX_RELAY_REQUEST__ : undefined;
}
