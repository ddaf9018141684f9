// The data map's non-DOM parts: the grid index used for hover and brushing
// (src/ui/charts/data-map-index.ts), the pixel rasterizer, layout/projection, and the SVG export
// with its downsampling note (src/ui/charts/data-map.ts).
import { describe, expect, it } from 'vitest';
import { PointGrid } from '../../src/ui/charts/data-map-index';
import {
  CORRECTNESS_COLORS,
  SVG_POINT_LIMIT,
  correctnessBin,
  correctnessBins,
  dataMapLayout,
  dataMapScales,
  dataMapSvg,
  presentBins,
  projectPoints,
  rasterizePoints,
  sampleIndices,
} from '../../src/ui/charts/data-map';
import { cartographyView } from '../../src/ui/state/cartography-view';
import { seededRandom } from '../../src/domain/clustering/random';
import type { CartographyMetricsRow } from '../../src/domain/cartography/types';

/** The nearest point within r by brute force, ties to the larger index (as the grid promises). */
function bruteNearest(xs: Float32Array, ys: Float32Array, x: number, y: number, r: number): number {
  let best = -1;
  let bestD = r * r;
  for (let i = 0; i < xs.length; i++) {
    const d = (xs[i] - x) ** 2 + (ys[i] - y) ** 2;
    if (d < bestD || (d === bestD && i > best)) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

describe('PointGrid', () => {
  it('finds the nearest point within the radius on hand-placed points, ties to the later index', () => {
    const xs = Float32Array.of(10, 13, 50, 50, 0, NaN);
    const ys = Float32Array.of(10, 10, 50, 50, 99, 5);
    const g = new PointGrid(xs, ys, 100, 100, 8);
    expect(g.nearest(11, 10, 6)).toBe(0);
    expect(g.nearest(12, 10, 6)).toBe(1);
    expect(g.nearest(50, 50, 6)).toBe(3); // two points at the same place: the one drawn last
    expect(g.nearest(30, 30, 6)).toBe(-1);
    expect(g.nearest(0, 95, 6)).toBe(4); // near the edge, across cells
    expect(g.nearest(0, 5, 100)).toBe(0); // the NaN point is never returned
  });

  it('agrees with a brute-force scan on 5,000 random points, including points outside the area', () => {
    const rand = seededRandom(5);
    const n = 5000;
    const xs = Float32Array.from({ length: n }, () => rand() * 420 - 10);
    const ys = Float32Array.from({ length: n }, () => rand() * 320 - 10);
    const g = new PointGrid(xs, ys, 400, 300, 8);
    for (let k = 0; k < 400; k++) {
      const x = rand() * 400;
      const y = rand() * 300;
      const r = 1 + rand() * 12;
      expect(g.nearest(x, y, r)).toBe(bruteNearest(xs, ys, x, y, r));
    }
    for (let k = 0; k < 50; k++) {
      const [x0, x1] = [rand() * 400, rand() * 400];
      const [y0, y1] = [rand() * 300, rand() * 300];
      const want = [];
      for (let i = 0; i < n; i++) if (xs[i] >= Math.min(x0, x1) && xs[i] <= Math.max(x0, x1) && ys[i] >= Math.min(y0, y1) && ys[i] <= Math.max(y0, y1)) want.push(i);
      expect(Array.from(g.inRect(x0, y0, x1, y1))).toEqual(want);
    }
  });

  it('rejects mismatched columns', () => {
    expect(() => new PointGrid(new Float32Array(2), new Float32Array(3), 10, 10)).toThrow(/2 x values for 3 y values/);
  });
});

describe('rasterizePoints', () => {
  it('draws an antialiased disc of the point colour, opaque in the middle up to alpha, transparent away from it', () => {
    const buf = rasterizePoints(20, 20, Float32Array.of(10), Float32Array.of(10), Uint8Array.of(0), ['#ff0000'], { radius: 3, alpha: 1 });
    const px = (x: number, y: number) => Array.from(buf.data.subarray((y * 20 + x) * 4, (y * 20 + x) * 4 + 4));
    expect(px(10, 10)).toEqual([255, 0, 0, 255]);
    expect(px(0, 0)).toEqual([0, 0, 0, 0]);
    expect(px(15, 10)[3]).toBe(0); // 4.5 px from the centre, beyond radius + 0.5
    const rim = px(12, 11)[3]; // 2.9 px from the centre: partly covered
    expect(rim).toBeGreaterThan(0);
    expect(rim).toBeLessThan(255);
  });

  it('blends source-over in colour order (the higher colour bin on top) and scales with the device pixel ratio', () => {
    const buf = rasterizePoints(10, 10, Float32Array.of(2.5, 2.5), Float32Array.of(2.5, 2.5), Uint8Array.of(1, 0), ['#0000ff', '#ff0000'], { radius: 1, alpha: 0.5, scale: 2 });
    const o = (5 * 10 + 5) * 4;
    // blue (bin 0) first at alpha 0.5, then red over it at 0.5: premultiplied (0.5·1, 0, 0.25) over alpha 0.75.
    expect(buf.data[o + 3]).toBe(191);
    expect(buf.data[o]).toBe(170);
    expect(buf.data[o + 2]).toBe(85);
    expect(buf.data[o + 1]).toBe(0);
  });

  it('draws only the subset asked for, and clips points at the edges without error', () => {
    const buf = rasterizePoints(8, 8, Float32Array.of(0, 7.9, 4), Float32Array.of(0, 7.9, 4), Uint8Array.of(0, 0, 0), ['#000000'], { radius: 2, subset: [0, 1] });
    expect(buf.data[(4 * 8 + 4) * 4 + 3]).toBe(0);
    expect(buf.data[3]).toBeGreaterThan(0);
    expect(buf.data[(7 * 8 + 7) * 4 + 3]).toBeGreaterThan(0);
    expect(() => rasterizePoints(0, 5, new Float32Array(), new Float32Array(), new Uint8Array(), [])).toThrow(/positive integers/);
  });
});

function rowsOf(n: number): CartographyMetricsRow[] {
  const rand = seededRandom(9);
  return Array.from({ length: n }, (_, i) => {
    const c = rand();
    return { id: `r${i}`, confidence: c, variability: 0.3 * rand(), correctness: Math.round(c * 4) / 4, num_epochs: 4, start_confidence: c, end_confidence: c };
  });
}

describe('layout, projection and exports', () => {
  it('projects variability/confidence to plot-local pixels as the d3 scales do', () => {
    const v = cartographyView(rowsOf(200));
    const layout = dataMapLayout(800, 520);
    const scales = dataMapScales(layout, v.domains);
    const { px, py } = projectPoints(v.columns, scales, layout);
    for (let i = 0; i < 200; i += 17) {
      expect(px[i] + layout.plot.left).toBeCloseTo(scales.x(v.columns.variability[i]), 3);
      expect(py[i] + layout.plot.top).toBeCloseTo(scales.y(v.columns.confidence[i]), 3);
    }
    expect(() => dataMapLayout(100, 100)).toThrow(/at least/);
  });

  it('bins correctness to one decimal like allenai and lists the bins present', () => {
    expect([0, 0.04, 0.05, 0.25, 1 / 3, 1, 1.2, NaN].map(correctnessBin)).toEqual([0, 0, 1, 3, 3, 10, 10, 0]);
    expect(presentBins(correctnessBins([0, 0.25, 0.5, 0.25]))).toEqual([0, 3, 5]);
    expect(CORRECTNESS_COLORS).toHaveLength(11);
  });

  it('exports every point as a circle up to the limit, and a seeded, noted sample beyond it', () => {
    const v = cartographyView(rowsOf(300));
    const input = { columns: v.columns, thresholds: v.categorization.thresholds, domains: v.domains, colorBins: correctnessBins(v.columns.correctness) };
    const layout = dataMapLayout(700, 480);
    const all = dataMapSvg(input, layout);
    expect(all.note).toBeNull();
    expect(all.drawn).toBe(300);
    const pointsOf = (svg: string) => svg.slice(svg.indexOf('<g class="points">'), svg.indexOf('<g class="data-map-over">')).match(/<circle /g)?.length;
    expect(pointsOf(all.svg)).toBe(300);
    for (const label of ['easy-to-learn', 'hard-to-learn', 'ambiguous', 'variability', 'confidence', 'correctness']) expect(all.svg).toContain(label);
    const some = dataMapSvg(input, layout, 120);
    expect(some.drawn).toBe(120);
    expect(pointsOf(some.svg)).toBe(120);
    expect(some.note).toMatch(/sample of 120 of 300 points/);
    expect(some.svg).toContain('sample of 120 of 300 points');
    expect(dataMapSvg(input, layout, 120).svg).toBe(some.svg);
    expect(SVG_POINT_LIMIT).toBe(20_000);
  });

  it('samples distinct, ascending indices', () => {
    const s = sampleIndices(1000, 100, 3);
    expect(s).toHaveLength(100);
    expect(new Set(s).size).toBe(100);
    expect(Array.from(s)).toEqual([...s].sort((a, b) => a - b));
    expect(Array.from(sampleIndices(5, 10))).toEqual([0, 1, 2, 3, 4]);
  });
});
