/**
 * One run's data map as a Results plot, free of the DOM and of storage so that the CLI's
 * `--mode analyze` draws the same figure: the cartography metrics of the run → the Cartography
 * section's data map (data-map.ts) at a fixed export size with a visible title naming the run.
 *
 * - `svg` is the Cartography map's SVG export (points as circles; beyond SVG_POINT_LIMIT a
 *   seeded sample, said in the file), built on first use;
 * - `raster` is the layered form (SVG frame, points rasterised at any scale, SVG labels) that the
 *   PNG export composes with every point, as the Cartography map's PNG does.
 */
import {
  CORRECTNESS_COLORS,
  correctnessBins,
  dataMapDescription,
  dataMapLayers,
  dataMapLayout,
  dataMapSvg,
  overlayDocument,
  rasterizePoints,
  type DataMapInput,
  type DataMapLayout,
  type DataMapSvgExport,
} from '../charts/data-map';
import type { LayeredPng } from '../charts/data-map-raster';
import type { CartographyMetricsRow } from '../../domain/cartography/types';
import { cartographyView, type RegionCount } from './cartography-view';
import type { ExperimentResult } from '../../domain/experiments/result';
import type { ExperimentConfig } from '../../domain/config/types';
import type { PlotSpec } from './results-export';

/** The exported figure's size (CSS px; the PNG is twice that). */
export const DATA_MAP_EXPORT_SIZE = { width: 800, height: 600 } as const;

/** Which run a map belongs to. */
export interface DataMapRun {
  runId: string;
  /** The experiment name ("baseline_seed42"). */
  name: string;
  seed: number | null;
}

export function dataMapTitle(run: Pick<DataMapRun, 'name' | 'seed'>): string {
  return `Data map · ${run.name} · seed ${run.seed ?? 'unknown'}`;
}

/** What a map is drawn from, built once per run (categorisation and typed columns). */
export interface DataMapView {
  input: DataMapInput;
  regions: RegionCount[];
}

export function dataMapView(run: Pick<DataMapRun, 'name' | 'seed'>, rows: readonly CartographyMetricsRow[]): DataMapView {
  if (rows.length === 0) throw new RangeError(`dataMapView: no metrics rows for ${run.name}`);
  const v = cartographyView(rows);
  return {
    input: { columns: v.columns, thresholds: v.categorization.thresholds, domains: v.domains, colorBins: correctnessBins(v.columns.correctness), title: dataMapTitle(run) },
    regions: v.regions,
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const unit = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= -1e-9 && v <= 1 + 1e-9;

/**
 * The usable rows of a stored artifact's `metrics` (it may come from an older build or an
 * import): an id and finite confidence, variability and correctness in [0, 1]. `dropped` counts
 * the rest; `error` is set when `metrics` is not a list at all.
 */
export function usableMetricsRows(metrics: unknown): { rows: CartographyMetricsRow[]; dropped: number; error: string | null } {
  if (!Array.isArray(metrics)) return { rows: [], dropped: 0, error: 'its metrics are not a list of rows' };
  const rows: CartographyMetricsRow[] = [];
  let dropped = 0;
  for (const r of metrics) {
    if (isObj(r) && typeof r.id === 'string' && unit(r.confidence) && unit(r.variability) && unit(r.correctness)) rows.push(r as unknown as CartographyMetricsRow);
    else dropped++;
  }
  return { rows, dropped, error: null };
}

/**
 * File names (without extension) for the maps of these runs, "data-map-<experiment name>",
 * made unique with "-2", "-3", … when runs share a name (re-runs, an import beside the app's run).
 */
export function dataMapFileBases(runs: readonly Pick<DataMapRun, 'name'>[]): string[] {
  const used = new Set<string>();
  return runs.map((r) => {
    const base = `data-map-${r.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'run'}`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    return name;
  });
}

/** A run's data map as a Results plot. `svg` and `raster` are built when first read. */
export class DataMapPlot implements PlotSpec {
  readonly id: string;
  readonly title: string;
  readonly layout: DataMapLayout;
  private exported: DataMapSvgExport | null = null;

  constructor(
    readonly run: DataMapRun,
    readonly view: DataMapView,
    readonly file: string,
  ) {
    this.id = `plot-${file}`;
    this.title = view.input.title ?? dataMapTitle(run);
    this.layout = dataMapLayout(DATA_MAP_EXPORT_SIZE.width, DATA_MAP_EXPORT_SIZE.height, { title: true });
  }

  get input(): DataMapInput {
    return this.view.input;
  }

  /** Points in the data. */
  get points(): number {
    return this.view.input.columns.n;
  }

  private export(): DataMapSvgExport {
    return (this.exported ??= dataMapSvg(this.view.input, this.layout));
  }

  get svg(): string {
    return this.export().svg;
  }

  /** Set when the SVG holds a sample of the points (the PNG has them all). */
  get svgNote(): string | null {
    return this.export().note;
  }

  get description(): string {
    return dataMapDescription(this.view.input);
  }

  /** The layers the PNG export composes at any scale, with every point. */
  get raster(): LayeredPng {
    const { input } = this.view;
    const { width, height, plot } = this.layout;
    const { px, py, under, over } = dataMapLayers(input, this.layout, { id: `${this.id}-png`, title: this.title });
    return {
      width,
      height,
      plot,
      under,
      over: overlayDocument(width, height, over),
      points: (k) => rasterizePoints(Math.round((plot.right - plot.left) * k), Math.round((plot.bottom - plot.top) * k), px, py, input.colorBins, CORRECTNESS_COLORS, { scale: k }),
    };
  }
}

/** The maps of these runs (in order), each from its metrics rows. */
export function runDataMapPlots(maps: readonly { run: DataMapRun; view: DataMapView }[]): DataMapPlot[] {
  const files = dataMapFileBases(maps.map((m) => m.run));
  return maps.map((m, i) => new DataMapPlot(m.run, m.view, files[i]));
}

/** What decides why a run has no map. */
export interface DataMapSubject {
  imported: boolean;
  config: ExperimentConfig | null;
  result: Pick<ExperimentResult, 'success'>;
}

/** One line saying why a run has no stored training dynamics, from how it was made. */
export function noDataMapReason(run: DataMapSubject): string {
  if (run.imported) {
    return 'imported without cartography files (its experiment folder had no cartography_output/ with cartography_metrics.csv, cartography_metrics.json or training_dynamics_epoch_N.json)';
  }
  if (!run.config) return 'no training dynamics are stored for it, and its config could not be read to tell why';
  if (!run.config.training.enable_cartography) return 'trained without cartography tracking (enable_cartography off), so no training dynamics were recorded';
  if (!run.result.success) return 'the run failed, so its training dynamics were never stored';
  return 'trained with cartography tracking, but its cartography artifact is no longer stored (deleted in Cartography?)';
}
