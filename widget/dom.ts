// The only way the widget builds DOM: elements from fixed tag names, text as Text nodes, and
// attributes from fixed names. Nothing from the relay is ever parsed as HTML.

export type Child = Node | string | number | undefined | null | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  append(e, children);
  return e;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    parent.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** The URL when it is absolute http(s); `javascript:`, `data:` and anything relative are refused. */
export function safeUrl(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** A link that opens apart from Planfix when the URL is safe, else the same words as plain text. */
export function link(url: unknown, text: string, attrs: Record<string, string> = {}): HTMLElement {
  const href = safeUrl(url);
  if (!href) return el('span', { class: 'text' }, text);
  return el('a', { ...attrs, href, target: '_blank', rel: 'noopener noreferrer' }, text);
}
