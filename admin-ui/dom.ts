import { lang, t } from './i18n.ts';

// Every value from the API is set as text: account names, provider URLs and error messages
// may carry markup, and none of it is ever parsed as HTML.

type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | boolean | number | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v as EventListener);
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else if (k === 'checked' && 'checked' in el) (el as HTMLInputElement).checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== undefined && c !== null && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== undefined && c !== null && c !== false).map((c) => (typeof c === 'number' ? String(c) : c)));
}

/**
 * A value to paste somewhere, with a button that copies it. Shown as wrapping text, not an input:
 * the end of a long URL (Ringostat's `?event=…`) is what tells them apart, and must not be cut off.
 */
export function copyField(label: string, value: string, hint?: string): HTMLElement {
  const shown = h('code', { class: 'copy-value', 'aria-label': label }, value);
  const button = h('button', {
    type: 'button', class: 'copy', 'data-copy': value,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(value);
      } catch {
        // No clipboard API (plain http, an old browser): the text is selected for Ctrl+C.
        getSelection()?.selectAllChildren(shown);
        document.execCommand('copy');
      }
      button.textContent = t().copied;
      setTimeout(() => { button.textContent = t().copy; }, 1500);
    },
  }, t().copy);
  return h('div', { class: 'copy-row' }, h('span', { class: 'copy-label' }, label), h('div', { class: 'copy-line' }, shown, button), hint ? h('small', {}, hint) : undefined);
}

export function time(ms: number | string): string {
  return new Date(ms).toLocaleString(lang());
}
