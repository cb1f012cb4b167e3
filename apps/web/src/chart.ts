import type { TensionSeries } from '../../../libs/domain/src/tension';
import { DAY_MS } from './days';
import { h } from './dom';

const SVG = 'http://www.w3.org/2000/svg';

const QUAD_CLASSES = [
  ['verbalCooperation', 'Verbal cooperation'],
  ['materialCooperation', 'Material cooperation'],
  ['verbalConflict', 'Verbal conflict'],
  ['materialConflict', 'Material conflict'],
] as const;

/** Drawn in SVG by hand: a few dozen weekly buckets need no chart library (see README, "The page"). */
function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | number>>,
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { top: 16, right: 36, bottom: 28, left: 32 };
const GOLDSTEIN_MAX = 10;

/**
 * The weekly tension series: QuadClass counts as stacked bars (left axis), the Goldstein mean as a line
 * (right axis, −10 to +10), and `asOf` as a vertical mark.
 */
export function renderTensionChart(series: TensionSeries, asOfMs: number): HTMLElement {
  const buckets = series.series;
  if (buckets.length === 0) return h('p', { class: 'muted' }, 'No event yet.');
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const start = Date.parse(buckets[0].start);
  const end = Date.parse(buckets[buckets.length - 1].end) + DAY_MS;
  const x = (ms: number) => MARGIN.left + ((ms - start) / (end - start)) * plotWidth;
  const maxCount = Math.max(1, ...buckets.map((b) => b.events));
  const countY = (n: number) => MARGIN.top + plotHeight - (n / maxCount) * plotHeight;
  const meanY = (g: number) => MARGIN.top + plotHeight / 2 - (g / GOLDSTEIN_MAX) * (plotHeight / 2);

  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-labelledby': 'chart-title chart-desc',
    class: 'chart',
  });
  chart.append(
    svg('title', { id: 'chart-title' }, 'Weekly tension'),
    svg(
      'desc',
      { id: 'chart-desc' },
      `${buckets.length} weeks from ${buckets[0].start} to ${buckets[buckets.length - 1].end}; ` +
        `at most ${maxCount} events a week.`,
    ),
  );
  // Axes and the zero line of the Goldstein scale.
  chart.append(
    svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: countY(0), y2: countY(0), class: 'axis' }),
    svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: meanY(0), y2: meanY(0), class: 'zero' }),
    svg(
      'text',
      { x: MARGIN.left - 4, y: countY(maxCount) + 4, class: 'tick', 'text-anchor': 'end' },
      String(maxCount),
    ),
    svg('text', { x: MARGIN.left - 4, y: countY(0), class: 'tick', 'text-anchor': 'end' }, '0'),
    svg('text', { x: WIDTH - MARGIN.right + 4, y: meanY(GOLDSTEIN_MAX) + 4, class: 'tick' }, '+10'),
    svg('text', { x: WIDTH - MARGIN.right + 4, y: meanY(0) + 4, class: 'tick' }, '0'),
    svg('text', { x: WIDTH - MARGIN.right + 4, y: meanY(-GOLDSTEIN_MAX), class: 'tick' }, '−10'),
  );
  const points: string[] = [];
  for (const bucket of buckets) {
    const left = x(Date.parse(bucket.start));
    const right = x(Date.parse(bucket.end) + DAY_MS);
    const width = Math.max(1, (right - left) * 0.8);
    const group = svg('g', { class: 'bucket', 'data-start': bucket.start });
    group.append(
      svg(
        'title',
        {},
        `Week of ${bucket.start}: ${bucket.events} events, Goldstein mean ${bucket.goldsteinMean}` +
          QUAD_CLASSES.map(([key, label]) => `\n${label}: ${bucket.quadClass[key]}`).join(''),
      ),
    );
    let stacked = 0;
    for (const [key] of QUAD_CLASSES) {
      const n = bucket.quadClass[key];
      if (n === 0) continue;
      group.append(
        svg('rect', {
          x: left + (right - left - width) / 2,
          y: countY(stacked + n),
          width,
          height: countY(stacked) - countY(stacked + n),
          class: `bar ${key}`,
        }),
      );
      stacked += n;
    }
    chart.append(group);
    if (bucket.events > 0) points.push(`${(left + right) / 2},${meanY(bucket.goldsteinMean)}`);
  }
  if (points.length > 0) {
    chart.append(svg('polyline', { points: points.join(' '), class: 'mean' }));
    for (const point of points) {
      const [cx, cy] = point.split(',');
      chart.append(svg('circle', { cx, cy, r: 3, class: 'mean-point' }));
    }
  }
  chart.append(
    svg('text', { x: MARGIN.left, y: HEIGHT - 8, class: 'tick' }, buckets[0].start),
    svg(
      'text',
      { x: WIDTH - MARGIN.right, y: HEIGHT - 8, class: 'tick', 'text-anchor': 'end' },
      buckets[buckets.length - 1].end,
    ),
  );
  // asOf beyond the series is drawn at its edge, so the mark is always there to see.
  const beyond = asOfMs >= end ? 'after' : asOfMs < start ? 'before' : 'within';
  const markX = x(Math.min(Math.max(asOfMs, start), end));
  chart.append(
    svg(
      'g',
      { class: 'as-of-mark', 'data-position': beyond },
      svg('line', { x1: markX, x2: markX, y1: MARGIN.top - 6, y2: countY(0), class: 'as-of' }),
      svg(
        'text',
        {
          x: markX,
          y: MARGIN.top - 6,
          class: 'as-of-label',
          'text-anchor': markX > WIDTH / 2 ? 'end' : 'start',
        },
        beyond === 'after' ? 'asOf →' : beyond === 'before' ? '← asOf' : 'asOf',
      ),
    ),
  );
  const legend = h(
    'ul',
    { class: 'legend' },
    QUAD_CLASSES.map(([key, label]) => h('li', {}, h('span', { class: `swatch ${key}` }), label)),
    h('li', {}, h('span', { class: 'swatch mean' }), 'Goldstein mean (right axis)'),
    h('li', {}, h('span', { class: 'swatch as-of' }), 'asOf'),
  );
  const figure = h('figure', { class: 'chart-figure' });
  figure.append(chart, legend);
  return figure;
}
