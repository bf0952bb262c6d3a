// Inside the shadow root: Planfix's styles do not reach in and these do not leak out. `all:
// initial` on the host stops inherited page fonts and colours too.
export const CSS = `
:host{all:initial;display:block;margin:8px 0;font:13px/1.4 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Arial,sans-serif;color:#1f2933}
:host([floating]){position:fixed;right:16px;bottom:16px;width:360px;max-width:calc(100vw - 32px);z-index:2147483000;margin:0}
.panel{background:#fff;border:1px solid #d9dee3;border-radius:8px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.08)}
:host([floating]) .panel{box-shadow:0 6px 24px rgba(0,0,0,.18)}
.head{display:flex;align-items:center;gap:6px;width:100%;padding:8px 12px;background:#f5f7f9;border:0;border-bottom:1px solid #e4e8ec;font:inherit;font-weight:600;color:inherit;text-align:left;cursor:pointer}
.collapsed .head{border-bottom:0}
.arrow{display:inline-block;transition:transform .15s}
.collapsed .arrow{transform:rotate(-90deg)}
.task{margin-left:auto;font-weight:400}
.body{padding:2px 12px 10px;columns:2 280px;column-gap:28px}
:host([floating]) .body{columns:auto;max-height:calc(70vh - 40px);overflow:auto}
section{padding-top:8px;break-inside:avoid}
h3{margin:0 0 3px;font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:#6b7785}
dl{display:grid;grid-template-columns:max-content 1fr;gap:1px 10px;margin:0}
dt,time,.muted{color:#6b7785}
dd{margin:0;overflow-wrap:anywhere}
ol,ul{margin:0;padding:0;list-style:none}
li{padding:3px 0;border-top:1px solid #f0f2f4;overflow-wrap:anywhere}
ol li{display:flex;gap:8px;justify-content:space-between;align-items:baseline}
li:first-child{border-top:0}
time{flex:none;font-size:12px}
a{color:#1a73e8;text-decoration:none}
a:hover{text-decoration:underline}
button.link{margin-top:3px;padding:0;border:0;background:none;font:inherit;color:#1a73e8;cursor:pointer}
audio{display:block;width:100%;height:32px;margin:4px 0 2px}
.note{margin:8px 0 0;color:#6b7785}
.error{margin:8px 0 0;color:#b42318}
`;
