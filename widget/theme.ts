// Light or dark, as the page around the panel is. Planfix's theme is not announced anywhere the
// widget could read, so it is judged from what the employee sees: the colour behind the panel.

type Rgba = [r: number, g: number, b: number, a: number];

/** A computed background colour: browsers give legacy colours as rgb()/rgba(), others as color(srgb …). */
export function parseColour(css: string): Rgba | undefined {
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+)(%?))?\s*\)$/.exec(css);
  if (rgb) return [Number(rgb[1]) / 255, Number(rgb[2]) / 255, Number(rgb[3]) / 255, alpha(rgb[4], rgb[5])];
  const srgb = /^color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)(?:\s*\/\s*([\d.]+)(%?))?\s*\)$/.exec(css);
  if (srgb) return [Number(srgb[1]), Number(srgb[2]), Number(srgb[3]), alpha(srgb[4], srgb[5])];
  // oklch(), lab()… : no sign rather than a guess.
  return undefined;
}

function alpha(v: string | undefined, percent: string | undefined): number {
  if (v === undefined) return 1;
  return percent ? Number(v) / 100 : Number(v);
}

/** WCAG relative luminance of an sRGB colour with channels in 0…1. */
export function luminance([r, g, b]: readonly number[]): number {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
}

/** Dark when white text would stand out more on it than black: the luminance where both contrast equally. */
const DARK_BELOW = Math.sqrt(1.05 * 0.05) - 0.05;

/**
 * Whether the background behind `from` is dark: the backgrounds of it and its ancestors, the
 * translucent ones laid over what is beneath, up to the first opaque one. Undefined when no
 * element paints one: the page gives no sign.
 */
export function backgroundIsDark(from: Element | null): boolean | undefined {
  const layers: Rgba[] = [];
  for (let e = from; e; e = e.parentElement) {
    const c = parseColour(getComputedStyle(e).backgroundColor);
    if (!c || c[3] === 0) continue;
    layers.push(c);
    if (c[3] >= 1) break;
  }
  if (!layers.length) return undefined;
  // Under the last translucent layer is the canvas, white unless the page asks for a dark one.
  const canvas = getComputedStyle(document.documentElement).colorScheme === 'dark' ? 0.07 : 1;
  const mixed = layers.reduceRight<number[]>((under, [r, g, b, a]) => [r, g, b].map((c, i) => c * a + under[i]! * (1 - a)), [canvas, canvas, canvas]);
  return luminance(mixed) < DARK_BELOW;
}

const systemDark = () => matchMedia('(prefers-color-scheme: dark)').matches;

/**
 * Where to look for the page's colour: next to the panel when it sits in the task view; behind a
 * floating panel, the element in the middle of the window (the main container) rather than the body.
 */
function backdrop(host: HTMLElement): Element | null {
  if (!host.hasAttribute('floating')) return host.parentElement;
  const hit = document.elementsFromPoint(innerWidth / 2, innerHeight / 2).find((e) => e !== host && !host.contains(e));
  // Below a short body only <html> is hit, yet the body's background is what fills the window.
  return !hit || hit === document.documentElement ? document.body : hit;
}

/**
 * Keeps the `dark` attribute of the host true to the page, or failing any sign from it, to the
 * system. Planfix can switch themes without a reload: by a class on <html> or <body>, a new
 * stylesheet, or a transition of the background, so each of these checks again. Returns the
 * check, for the caller to run when it moves the host.
 */
export function followTheme(host: HTMLElement): () => void {
  let queued = false;
  const check = () => {
    queued = false;
    if (!host.isConnected) return;
    const dark = backgroundIsDark(backdrop(host)) ?? systemDark();
    if (host.hasAttribute('dark') !== dark) host.toggleAttribute('dark', dark);
  };
  const soon = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(check);
  };
  const watch = new MutationObserver(soon);
  watch.observe(document.documentElement, { attributes: true });
  if (document.body) watch.observe(document.body, { attributes: true });
  if (document.head) watch.observe(document.head, { childList: true, subtree: true, characterData: true, attributes: true });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', soon);
  document.addEventListener('transitionend', soon, true);
  return check;
}
