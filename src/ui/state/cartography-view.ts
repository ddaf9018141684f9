/**
 * What the Cartography section shows, computed from a metrics artifact and the dataset rows it
 * covers, free of Svelte and the DOM so that it is tested in Node and shared with the benches:
 * the columns of the data map as typed arrays, region (category) counts and shares, how the
 * demo dataset's deliberately noisy rows spread over the regions, and marginal histograms.
 */
import { categorize, type Categorization } from '../../domain/cartography/categories';
import { CARTOGRAPHY_CATEGORIES, type CartographyCategory, type CartographyMetricsRow } from '../../domain/cartography/types';

/** Category codes in the typed column (index into CARTOGRAPHY_CATEGORIES). */
export const CATEGORY_CODE: Record<CartographyCategory, number> = { easy: 0, hard: 1, ambiguous: 2 };

/** The data map's points, one per metrics row, in metrics order. */
export interface MapColumns {
  n: number;
  ids: readonly string[];
  variability: Float32Array;
  confidence: Float32Array;
  correctness: Float32Array;
  /** CATEGORY_CODE of each row. */
  category: Uint8Array;
}

export function mapColumns(rows: readonly CartographyMetricsRow[], categorization: Categorization): MapColumns {
  const n = rows.length;
  if (categorization.categories.length !== n) throw new RangeError('mapColumns: the categorization does not belong to these rows');
  const variability = new Float32Array(n);
  const confidence = new Float32Array(n);
  const correctness = new Float32Array(n);
  const category = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    variability[i] = r.variability;
    confidence[i] = r.confidence;
    correctness[i] = r.correctness;
    category[i] = CATEGORY_CODE[categorization.categories[i]];
  }
  return { n, ids: rows.map((r) => r.id), variability, confidence, correctness, category };
}

export interface RegionCount {
  category: CartographyCategory;
  count: number;
  /** Percentage of all rows, 0–100. */
  percent: number;
}

/** Counts per region in easy / hard / ambiguous order, with percentages of the total. */
export function regionCounts(categorization: Categorization): RegionCount[] {
  const total = categorization.categories.length;
  return CARTOGRAPHY_CATEGORIES.map((category) => {
    const count = categorization.counts[category];
    return { category, count, percent: total === 0 ? 0 : (100 * count) / total };
  });
}

export interface NoiseByRegion {
  /** Noise kind → counts per region (only kinds that occur among the covered rows). */
  byKind: Record<string, Record<CartographyCategory, number>>;
  /** Noisy rows per region, all kinds together. */
  noisy: Record<CartographyCategory, number>;
  /** Rows without a noise mark per region, for comparison. */
  clean: Record<CartographyCategory, number>;
  noisyTotal: number;
  cleanTotal: number;
  /** Share of the noisy rows in the hard or ambiguous region (NaN with no noisy row). */
  noisyHardOrAmbiguousShare: number;
  /** The same share among clean rows: what "most noisy rows are hard or ambiguous" is compared with. */
  cleanHardOrAmbiguousShare: number;
  /** Metrics rows whose id is not among the dataset rows (not counted anywhere above). */
  unmatched: number;
}

const zeroCounts = (): Record<CartographyCategory, number> => ({ easy: 0, hard: 0, ambiguous: 0 });

/**
 * How the deliberately noisy rows (QARecord.noise, demo dataset only) spread over the regions.
 * `noiseOf(id)` returns the noise kind, null for a clean row, or undefined when the id is not in
 * the dataset. Ids repeated in the dataset share one metrics row, so each metrics row counts once.
 */
export function noiseByRegion(
  rows: readonly CartographyMetricsRow[],
  categorization: Categorization,
  noiseOf: (id: string) => string | null | undefined,
): NoiseByRegion {
  const byKind: Record<string, Record<CartographyCategory, number>> = {};
  const noisy = zeroCounts();
  const clean = zeroCounts();
  let unmatched = 0;
  rows.forEach((r, i) => {
    const kind = noiseOf(r.id);
    const c = categorization.categories[i];
    if (kind === undefined) unmatched++;
    else if (kind === null) clean[c]++;
    else {
      noisy[c]++;
      (byKind[kind] ??= zeroCounts())[c]++;
    }
  });
  const sum = (x: Record<CartographyCategory, number>) => x.easy + x.hard + x.ambiguous;
  const noisyTotal = sum(noisy);
  const cleanTotal = sum(clean);
  return {
    byKind,
    noisy,
    clean,
    noisyTotal,
    cleanTotal,
    noisyHardOrAmbiguousShare: noisyTotal ? (noisy.hard + noisy.ambiguous) / noisyTotal : NaN,
    cleanHardOrAmbiguousShare: cleanTotal ? (clean.hard + clean.ambiguous) / cleanTotal : NaN,
    unmatched,
  };
}

export interface Histogram {
  /** Lower edge of the first bin and width of each bin. */
  x0: number;
  width: number;
  counts: Uint32Array;
  max: number;
}

/**
 * Fixed-width histogram over [lo, hi] (the last bin closed), for the marginal plots. One pass
 * over a typed column; values outside the range are clamped into the edge bins.
 */
export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins: number): Histogram {
  if (!(Number.isInteger(bins) && bins > 0)) throw new RangeError(`histogram: bins must be a positive integer, got ${bins}`);
  if (!(hi > lo)) throw new RangeError(`histogram: the range [${lo}, ${hi}] is empty`);
  const counts = new Uint32Array(bins);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    let b = Math.floor((v - lo) / width);
    if (b < 0) b = 0;
    else if (b >= bins) b = bins - 1;
    counts[b]++;
  }
  let max = 0;
  for (let b = 0; b < bins; b++) if (counts[b] > max) max = counts[b];
  return { x0: lo, width, counts, max };
}

/** The data map's axis ranges: variability from 0 to a little above its maximum (at most 0.5), confidence 0–1. */
export function mapDomains(cols: Pick<MapColumns, 'n' | 'variability'>): { x: [number, number]; y: [number, number] } {
  let maxV = 0;
  for (let i = 0; i < cols.n; i++) if (cols.variability[i] > maxV) maxV = cols.variability[i];
  const x1 = Math.min(0.5, maxV > 0 ? maxV * 1.05 : 0.5);
  return { x: [0, Math.max(x1, 0.01)], y: [0, 1] };
}

/** Categorizes with the medians and bundles everything the map needs. */
export function cartographyView(rows: readonly CartographyMetricsRow[]) {
  const categorization = categorize(rows);
  const columns = mapColumns(rows, categorization);
  return { categorization, columns, regions: regionCounts(categorization), domains: mapDomains(columns) };
}

/**
 * id → noise kind for the demo dataset's rows (null when clean). Rows sharing an id share one
 * metrics row, so an id counts as noisy when any of its rows is.
 */
export function noiseLookup(ids: readonly string[], noise: readonly (string | null | undefined)[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  ids.forEach((id, i) => {
    const kind = noise[i] ?? null;
    const prev = out.get(id);
    out.set(id, kind ?? prev ?? null);
  });
  return out;
}

export interface Excerpt {
  before: string;
  answer: string;
  after: string;
  /** True when text was cut at the start / end. */
  cutStart: boolean;
  cutEnd: boolean;
}

/**
 * The context around the first gold answer (or its start when there is none), `radius`
 * characters either side, for hover cards and selection lists.
 */
export function contextExcerpt(record: { context: string; answers: { text: string[]; answer_start: number[] } }, radius = 160): Excerpt {
  const ctx = record.context;
  const start = record.answers.answer_start[0];
  const text = record.answers.text[0];
  if (start === undefined || text === undefined || start < 0 || start > ctx.length) {
    const cutEnd = ctx.length > 2 * radius;
    return { before: cutEnd ? ctx.slice(0, 2 * radius) : ctx, answer: '', after: '', cutStart: false, cutEnd };
  }
  const end = Math.min(ctx.length, start + text.length);
  const from = Math.max(0, start - radius);
  const to = Math.min(ctx.length, end + radius);
  return { before: ctx.slice(from, start), answer: ctx.slice(start, end), after: ctx.slice(end, to), cutStart: from > 0, cutEnd: to < ctx.length };
}
