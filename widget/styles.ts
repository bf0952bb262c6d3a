// Inside the shadow root: Planfix's styles do not reach in and these do not leak out. `all:
// initial` on the host stops inherited page fonts and colours too.

/** The panel's colours; every text colour reads at WCAG AA (4.5:1) on both backgrounds (test/widget-palette.test.ts). */
export interface Palette {
  bg: string;
  head: string;
  text: string;
  muted: string;
  link: string;
  error: string;
  border: string;
  line: string;
  shadow: string;
}

export const LIGHT: Palette = {
  bg: '#ffffff', head: '#f5f7f9', text: '#1f2933', muted: '#5f6b78', link: '#1967d2', error: '#b42318',
  border: '#d9dee3', line: '#f0f2f4', shadow: 'rgba(0,0,0,.18)',
};

export const DARK: Palette = {
  bg: '#1f242b', head: '#282f37', text: '#e3e7ec', muted: '#a0abb7', link: '#8ab4f8', error: '#ff8f85',
  border: '#3b444e', line: '#2e353e', shadow: 'rgba(0,0,0,.5)',
};

const vars = (p: Palette) => Object.entries(p).map(([k, v]) => `--${k}:${v}`).join(';');

export const CSS = `
:host{all:initial;display:block;margin:8px 0;font:13px/1.4 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Arial,sans-serif;${vars(LIGHT)};color:var(--text);color-scheme:light}
:host([dark]){${vars(DARK)};color-scheme:dark}
:host([floating]){position:fixed;right:16px;bottom:16px;width:360px;max-width:calc(100vw - 32px);z-index:2147483000;margin:0}
.panel{background:var(--bg);border:1px solid var(--border);border-radius:8px;overflow:hidden;box-shadow:0 1px 3px var(--shadow)}
:host([floating]) .panel{box-shadow:0 6px 24px var(--shadow)}
.head{display:flex;align-items:center;gap:6px;width:100%;padding:8px 12px;background:var(--head);border:0;border-bottom:1px solid var(--border);font:inherit;font-weight:600;color:inherit;text-align:left;cursor:pointer}
.collapsed .head{border-bottom:0}
.arrow{display:inline-block;transition:transform .15s}
.collapsed .arrow{transform:rotate(-90deg)}
.task{margin-left:auto;font-weight:400}
.body{padding:2px 12px 10px;columns:2 280px;column-gap:28px}
:host([floating]) .body{columns:auto;max-height:calc(70vh - 40px);overflow:auto}
section{padding-top:8px;break-inside:avoid}
h3{margin:0 0 3px;font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:1px 10px;margin:0}
dt,time,.muted{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
ol,ul{margin:0;padding:0;list-style:none}
li{padding:3px 0;border-top:1px solid var(--line);overflow-wrap:anywhere}
ol li{display:flex;gap:8px;justify-content:space-between;align-items:baseline}
li:first-child{border-top:0}
time{flex:none;font-size:12px}
a{color:var(--link);text-decoration:none}
a:hover{text-decoration:underline}
button.link{margin-top:3px;padding:0;border:0;background:none;font:inherit;color:var(--link);cursor:pointer}
audio{display:block;width:100%;height:32px;margin:4px 0 2px}
.note{margin:8px 0 0;color:var(--muted)}
.error{margin:8px 0 0;color:var(--error)}
[data-section=history],.body>.history{column-span:all}
[data-section=history]{margin-top:8px;border-top:1px solid var(--border)}
.history{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:0 28px}
.sources{grid-column:1/-1;display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:0 28px}
h4{margin:6px 0 2px;font-size:12px;font-weight:600}
.line{display:flex;gap:8px;justify-content:space-between;align-items:baseline}
.line a{flex:none}
.last{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;color:var(--muted)}
`;
