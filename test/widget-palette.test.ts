// The widget's colours and how it judges a page dark, without a browser: the contrast of every text
// colour the panel uses, and the parsing of the colours browsers compute.
import test from 'ava';
import { DARK, LIGHT, type Palette } from '../widget/styles.ts';
import { luminance, parseColour } from '../widget/theme.ts';

const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(hex(a)), luminance(hex(b))].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
};

for (const [name, p] of [['light', LIGHT], ['dark', DARK]] as [string, Palette][]) {
  test(`the ${name} palette's text reads at WCAG AA on the panel and its header`, (t) => {
    for (const fg of ['text', 'muted', 'link', 'error'] as const) {
      for (const bg of ['bg', 'head'] as const) {
        const ratio = contrast(p[fg], p[bg]);
        t.true(ratio >= 4.5, `${fg} ${p[fg]} on ${bg} ${p[bg]}: ${ratio.toFixed(2)}`);
      }
    }
  });
}

test('the dark palette is dark and the light one light', (t) => {
  t.true(luminance(hex(DARK.bg)) < 0.05);
  t.true(luminance(hex(LIGHT.bg)) > 0.9);
});

test('computed colours parse in the forms browsers give them', (t) => {
  t.deepEqual(parseColour('rgb(255, 0, 51)'), [1, 0, 0.2, 1]);
  t.deepEqual(parseColour('rgba(0, 0, 0, 0)'), [0, 0, 0, 0]);
  t.deepEqual(parseColour('rgba(255, 255, 255, 0.5)'), [1, 1, 1, 0.5]);
  t.deepEqual(parseColour('rgb(255 255 255 / 50%)'), [1, 1, 1, 0.5]);
  t.deepEqual(parseColour('color(srgb 0.1 0.2 0.3)'), [0.1, 0.2, 0.3, 1]);
  t.deepEqual(parseColour('color(srgb 0.1 0.2 0.3 / 0.4)'), [0.1, 0.2, 0.3, 0.4]);
  t.is(parseColour('oklch(0.2 0.02 250)'), undefined);
  t.is(parseColour('transparent'), undefined);
});
