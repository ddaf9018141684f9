/**
 * The data maps of the runs chosen in Results: each run's stored cartography artifact (see
 * loadRunCartography) → a DataMapPlot, or one line saying why the run has none.
 */
import type { LabDatabase } from '../../storage/db';
import { loadRunCartography } from '../../storage/results';
import { dataMapView, noDataMapReason, runDataMapPlots, usableMetricsRows, type DataMapPlot, type DataMapRun, type DataMapView } from './results-data-map';
import type { ResultEntry } from './results-rows';

/** Maps are drawn for at most this many chosen runs (each is a large canvas). */
export const MAX_DATA_MAPS = 6;

/** What one run gave: a view to draw, or why there is none. Kept between selections. */
export type DataMapLookup = { view: DataMapView; note: string | null } | { view: null; note: string };

export interface DataMapNote {
  runId: string;
  name: string;
  text: string;
}

export interface LoadedDataMaps {
  plots: DataMapPlot[];
  /** Runs without a map, and runs whose map left rows out, one line each. */
  notes: DataMapNote[];
  /** Set when more runs were chosen than MAX_DATA_MAPS. */
  limitNote: string | null;
}

export function dataMapRun(e: Pick<ResultEntry, 'runId' | 'result' | 'analysis'>): DataMapRun {
  return { runId: e.runId, name: e.result.experiment_name, seed: e.analysis.seed };
}

async function lookUp(db: LabDatabase, entries: readonly ResultEntry[]): Promise<Map<string, DataMapLookup>> {
  // Only runs whose config tracked cartography can have an artifact under an older random id.
  const scan = new Set(entries.filter((e) => !e.imported && e.config?.training.enable_cartography).map((e) => e.runId));
  const found = await loadRunCartography(
    db,
    entries.map((e) => e.runId),
    scan,
  );
  const out = new Map<string, DataMapLookup>();
  for (const e of entries) {
    const art = found.get(e.runId);
    if (!art) {
      out.set(e.runId, { view: null, note: noDataMapReason(e) });
      continue;
    }
    const { rows, dropped, error } = usableMetricsRows((art.data as { metrics?: unknown } | null)?.metrics);
    if (error || rows.length === 0) {
      out.set(e.runId, { view: null, note: `its cartography artifact “${art.name}” holds no usable metrics rows${error ? ` (${error})` : ''}` });
      continue;
    }
    const note = dropped ? `${dropped} metrics row(s) without an id or with confidence, variability or correctness outside [0, 1] were left out of the map` : null;
    out.set(e.runId, { view: dataMapView(dataMapRun(e), rows), note });
  }
  return out;
}

/**
 * The maps of the chosen runs, in their order, at most MAX_DATA_MAPS. `cache` (run id → lookup)
 * spares re-reading and re-categorising a run's metrics when the selection changes; clear it
 * when the stored runs change.
 */
export async function loadDataMaps(db: LabDatabase, chosen: readonly ResultEntry[], cache: Map<string, DataMapLookup> = new Map()): Promise<LoadedDataMaps> {
  const drawn = chosen.slice(0, MAX_DATA_MAPS);
  const missing = drawn.filter((e) => !cache.has(e.runId));
  if (missing.length) for (const [id, v] of await lookUp(db, missing)) cache.set(id, v);
  const maps: { run: DataMapRun; view: DataMapView }[] = [];
  const notes: DataMapNote[] = [];
  for (const e of drawn) {
    const got = cache.get(e.runId);
    if (!got) continue;
    if (got.view) maps.push({ run: dataMapRun(e), view: got.view });
    if (got.note) notes.push({ runId: e.runId, name: e.result.experiment_name, text: got.note });
  }
  return {
    plots: runDataMapPlots(maps),
    notes,
    limitNote: chosen.length > MAX_DATA_MAPS ? `Data maps are drawn for the first ${MAX_DATA_MAPS} of ${chosen.length} selected runs.` : null,
  };
}
