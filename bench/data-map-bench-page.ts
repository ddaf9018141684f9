// The page bench/data-map-bench.mjs drives: mounts the app's data map component on synthetic
// cartography metrics and times its first draw.
import { mount, tick, unmount } from 'svelte';
import CartographyMap from '../src/ui/components/cartography-map.svelte';
import { cartographyView } from '../src/ui/state/cartography-view';
import { correctnessBins, type DataMapInput } from '../src/ui/charts/data-map';
import { gaussian, seededRandom } from '../src/domain/clustering/random';
import type { CartographyMetricsRow } from '../src/domain/cartography/types';

/** Metrics shaped like a 5-epoch run: most examples learnt (high confidence, low variability), a spread of the rest. */
function syntheticRows(n: number, seed = 42): CartographyMetricsRow[] {
  const rand = seededRandom(seed);
  const g = gaussian(rand);
  const rows: CartographyMetricsRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const u = rand();
    const confidence = Math.min(1, Math.max(0, u < 0.6 ? 0.85 + 0.08 * g() : u < 0.85 ? 0.5 + 0.18 * g() : 0.12 + 0.1 * g()));
    const variability = Math.min(0.5, Math.max(0, Math.abs(0.12 + 0.09 * g()) * (1 - Math.abs(confidence - 0.5))));
    const correctness = Math.min(5, Math.max(0, Math.round(confidence * 5 + g()))) / 5;
    rows[i] = { id: `ex${i}`, confidence, variability, correctness, num_epochs: 5, start_confidence: confidence, end_confidence: confidence };
  }
  return rows;
}

declare global {
  interface Window {
    runDataMapBench(n: number): Promise<{ n: number; prepareMs: number; mountToDrawnMs: number; drawMs: number; firstDrawMs: number; rasterFlushMs: number }>;
  }
}

window.runDataMapBench = async (n) => {
  const target = document.getElementById('target')!;
  const rows = syntheticRows(n);
  const t0 = performance.now();
  const view = cartographyView(rows);
  const input: DataMapInput = { columns: view.columns, thresholds: view.categorization.thresholds, domains: view.domains, colorBins: correctnessBins(view.columns.correctness), title: 'bench' };
  const prepared = performance.now();
  let drawMs = -1;
  let drawnAt = 0;
  const app = mount(CartographyMap, {
    target,
    props: {
      input,
      fileBase: 'bench',
      fixedWidth: 940,
      ondrawn: (ms: number) => {
        drawMs = ms;
        drawnAt = performance.now();
      },
    },
  });
  await tick();
  while (drawMs < 0) await new Promise((r) => setTimeout(r, 0));
  // Reading a pixel forces the canvas to finish rasterising the paths.
  const canvas = target.querySelector('canvas')!;
  const r0 = performance.now();
  canvas.getContext('2d')!.getImageData(0, 0, 1, 1);
  const flushed = performance.now();
  await new Promise((r) => requestAnimationFrame(() => r(null)));
  const painted = performance.now();
  const result = {
    n,
    /** Metrics → categories, typed columns, colour bins. */
    prepareMs: Math.round(prepared - t0),
    /** mount() to the end of the canvas draw (layout, projection, grid index, SVG layers, paths). */
    mountToDrawnMs: Math.round(drawnAt - prepared),
    /** The canvas pass alone. */
    drawMs: Math.round(drawMs),
    rasterFlushMs: Math.round(flushed - r0),
    /** From having the metrics to the first frame on screen, everything included. */
    firstDrawMs: Math.round(painted - t0),
  };
  unmount(app);
  return result;
};
document.getElementById('status')!.dataset.ready = 'true';
