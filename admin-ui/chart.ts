// A bar chart as inline SVG, small enough to read at a glance and to fit the admin bundle. The SVG
// has a fixed viewBox and takes its card's width, so it scales from a 360 px phone to a wide
// screen; each bar carries its value (data-value) and says it in a tooltip (<title>).

const NS = 'http://www.w3.org/2000/svg';
const W = 300;
const H = 100;
const TOP = 8;
const BOTTOM = 16;
const LEFT = 2;

export interface Bar {
  value: number;
  /** A second value drawn inside the bar (the latency chart's p50 in its p95). */
  inner?: number;
  /** The tooltip: the bucket's time and its value in words. */
  title: string;
  from: string;
}

export interface ChartSpec {
  metric: string;
  bars: Bar[];
  /** The x axis: the first, middle and last bucket's time. */
  ticks: [string, string, string];
  /** The top of the y axis in words. */
  max: (value: number) => string;
  /** Values spanning milliseconds to hours read on a log scale. */
  log?: boolean;
  label: string;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

export function barChart(spec: ChartSpec): SVGSVGElement {
  const top = Math.max(0, ...spec.bars.map((b) => b.value));
  const scale = (v: number) => {
    if (v <= 0 || top <= 0) return 0;
    // Log: 1 ms at the bottom, the highest at the top, so 25 ms and 6 h are both visible.
    return spec.log ? (Math.log10(Math.max(v, 1)) / Math.log10(Math.max(top, 10))) : v / top;
  };
  const plot = H - TOP - BOTTOM;
  const step = (W - LEFT) / Math.max(1, spec.bars.length);
  const width = Math.max(1, step * 0.75);
  const bars = spec.bars.map((b, i) => {
    const x = LEFT + i * step + (step - width) / 2;
    const h = Math.max(b.value > 0 ? 1.5 : 0, scale(b.value) * plot);
    const g = svg('g', { class: 'bar', 'data-value': b.value, 'data-from': b.from },
      // The whole column takes the pointer, so a short bar's tooltip is as easy to reach as a tall one's.
      svg('rect', { class: 'hit', x: LEFT + i * step, y: TOP, width: step, height: plot }),
      svg('rect', { class: 'value', x, y: TOP + plot - h, width, height: h }),
      svg('title', {}, b.title));
    if (b.inner !== undefined && b.inner > 0) {
      const ih = Math.max(1.5, scale(b.inner) * plot);
      g.append(svg('rect', { class: 'inner', x, y: TOP + plot - ih, width, height: ih }));
    }
    return g;
  });
  const text = (x: number, anchor: string, s: string) => svg('text', { x, y: H - 4, 'text-anchor': anchor }, s);
  return svg('svg', { class: `chart ${spec.metric}`, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': spec.label, 'data-metric': spec.metric },
    svg('line', { class: 'axis', x1: LEFT, x2: W, y1: TOP + plot + 0.5, y2: TOP + plot + 0.5 }),
    svg('text', { class: 'max', x: W, y: TOP - 1, 'text-anchor': 'end' }, top > 0 ? spec.max(top) : ''),
    ...bars,
    text(LEFT, 'start', spec.ticks[0]), text(W / 2, 'middle', spec.ticks[1]), text(W, 'end', spec.ticks[2]));
}
