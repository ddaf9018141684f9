/**
 * Cluster assignments headless: the Python system's extract_embeddings.py then cluster_analysis.py
 * (origin-system.md §4.1–4.2) in one command, writing the files a cluster filter reads.
 *
 *   npm run clusters -- [--data demo|FILE] [--eval-data FILE] [--split train|validation] [--model demo|demo-scratch|DIR|HUB_ID]
 *     [--output-dir ./cluster_output] [--max-samples N] [--min-cluster-size 10] [--min-samples N]
 *     [--reduction-dim 50] [--batch-size 32] [--max-length 512] [--no-umap] [--seed 42]
 *     [--backend auto|wasm|cpu|webgpu] [--hub-endpoint URL]
 *
 * Writes cluster_assignments.csv, cluster_statistics.csv, cluster_samples.json and
 * cluster_metadata.json into --output-dir (created; existing files there are replaced only once
 * everything is computed). Data are read as run-experiments reads them: a single file is both
 * splits, --eval-data gives the validation rows.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { embedRecords } from '../domain/clustering/embed-records';
import { runClusteringPipeline } from '../domain/clustering/pipeline';
import { ASSIGNMENTS_FILE, STATISTICS_FILE, buildAssignments, serializeAssignmentsCsv, serializeStatisticsCsv } from '../domain/clustering/cluster-files';
import { clusterSamples } from '../domain/clustering/samples';
import { denseMatrix } from '../domain/clustering/types';
import { DEMO_TRAINING_SHAPE } from '../domain/train/demo-settings';
import { loadNodeDataset, loadNodeModel, nodeModelConfig } from './node-inputs';
import { chooseNodeBackend, type NodeBackendChoice } from './tf-node';
import { backendFlag, intFlag } from './flags';

interface Args {
  data: string;
  evalData: string | null;
  split: 'train' | 'validation';
  model: string;
  outputDir: string;
  maxSamples: number | null;
  minClusterSize: number;
  minSamples: number | null;
  reductionDim: number;
  batchSize: number;
  maxLength: number;
  umap: boolean;
  seed: number;
  backend: NodeBackendChoice;
  hubEndpoint: string;
}

export function parseClusterArgs(argv: readonly string[]): Args {
  const a: Args = { data: 'demo', evalData: null, split: 'train', model: 'demo', outputDir: './cluster_output', maxSamples: null, minClusterSize: 10, minSamples: null, reductionDim: 50, batchSize: 32, maxLength: 512, umap: true, seed: 42, backend: 'auto', hubEndpoint: 'https://huggingface.co' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--data': a.data = value(); break;
      case '--eval-data': a.evalData = value(); break;
      case '--split': {
        const s = value();
        if (s !== 'train' && s !== 'validation') throw new Error(`--split must be train or validation, got ${JSON.stringify(s)}`);
        a.split = s;
        break;
      }
      case '--model': a.model = value(); break;
      case '--output-dir': a.outputDir = value(); break;
      case '--max-samples': a.maxSamples = intFlag(flag, value(), 1); break;
      case '--min-cluster-size': a.minClusterSize = intFlag(flag, value(), 2); break;
      case '--min-samples': a.minSamples = intFlag(flag, value(), 1); break;
      case '--reduction-dim': a.reductionDim = intFlag(flag, value(), 1); break;
      case '--batch-size': a.batchSize = intFlag(flag, value(), 1); break;
      case '--max-length': a.maxLength = intFlag(flag, value(), 4); break;
      case '--no-umap': a.umap = false; break;
      case '--seed': a.seed = intFlag(flag, value(), 0); break;
      case '--backend': a.backend = backendFlag(value()); break;
      case '--hub-endpoint': a.hubEndpoint = value(); break;
      default:
        throw new Error(`unknown flag ${JSON.stringify(flag)}`);
    }
  }
  return a;
}

/**
 * Runs the command; returns the exit code (messages on stdout/stderr). `backendReady`: the caller
 * (run-experiments making a prerequisite) already runs a backend, which is kept.
 */
export async function main(argv: readonly string[], opts: { backendReady?: boolean } = {}): Promise<number> {
  let args: Args;
  try {
    args = parseClusterArgs(argv);
  } catch (e) {
    console.error(`Error: ${(e as Error).message}`);
    return 2;
  }
  const t0 = performance.now();
  const dataset = await loadNodeDataset(args.data, args.evalData);
  const all = args.split === 'train' ? dataset.train : dataset.eval;
  const rows = args.maxSamples === null ? all : all.slice(0, args.maxSamples);
  if (rows.length < 2) throw new Error(`${dataset.label} (${args.split}): clustering needs at least 2 rows, got ${rows.length}`);
  if (args.minClusterSize > rows.length) throw new Error(`--min-cluster-size ${args.minClusterSize} exceeds the ${rows.length} rows`);
  if (!opts.backendReady) await chooseNodeBackend(args.backend, await nodeModelConfig(args.model, args.hubEndpoint), { batch: args.batchSize, seq: DEMO_TRAINING_SHAPE.seq }, (l) => console.error(`[backend] ${l}`));
  const loaded = await loadNodeModel(args.model, args.seed, args.hubEndpoint);
  console.log(`Embedding ${rows.length} ${args.split} rows of ${dataset.label} with ${loaded.label} ...`);
  let lastPrint = 0;
  const embedded = await (async () => {
    try {
      return await embedRecords(loaded.model, loaded.tokenizer, rows, {
        batchSize: args.batchSize,
        maxLength: args.maxLength,
        onProgress: (p) => {
          const now = performance.now();
          if (now - lastPrint > 5000 || p.done === p.total) {
            lastPrint = now;
            console.error(`  embedded ${p.done}/${p.total}`);
          }
        },
      });
    } finally {
      loaded.model.dispose();
    }
  })();
  const embedSeconds = (performance.now() - t0) / 1000;
  const result = await runClusteringPipeline(denseMatrix(embedded.data, rows.length, embedded.dim), {
    reductionDim: args.reductionDim,
    minClusterSize: args.minClusterSize,
    ...(args.minSamples !== null ? { minSamples: args.minSamples } : {}),
    umap: args.umap ? { seed: args.seed } : false,
    onStage: (stage) => console.error(`  ${stage} ...`),
  });
  const hdb = result.hdbscan;
  const assignments = buildAssignments(embedded.ids, hdb.labels, hdb.probabilities, result.layout);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const nNoise = assignments.filter((a) => a.cluster < 0).length;
  const metadata = {
    embedding_dir: `${loaded.label} on ${dataset.label} (${args.split})`,
    n_samples: rows.length,
    embedding_dim: embedded.dim,
    reduction_dim: result.reductionDim,
    reduction_method: 'pca',
    clustering_method: 'hdbscan',
    min_cluster_size: args.minClusterSize,
    min_samples: result.minSamples,
    metric: 'euclidean',
    n_clusters: hdb.nClusters,
    n_noise: nNoise,
    visualization_method: args.umap ? 'umap' : null,
    max_length: embedded.maxLength,
    umap_seed: args.umap ? args.seed : null,
    timings_seconds: { embed: embedSeconds, ...result.timings },
  };
  // Written beside, then renamed over: a failure leaves the previous files whole.
  mkdirSync(args.outputDir, { recursive: true });
  const files: Array<[string, string]> = [
    [ASSIGNMENTS_FILE, serializeAssignmentsCsv(assignments)],
    [STATISTICS_FILE, serializeStatisticsCsv(result.statistics)],
    ['cluster_samples.json', JSON.stringify(clusterSamples(assignments, (id) => byId.get(id)), null, 2)],
    ['cluster_metadata.json', JSON.stringify(metadata, null, 2)],
  ];
  for (const [name, text] of files) writeFileSync(path.join(args.outputDir, `.${name}.partial`), text);
  for (const [name] of files) renameSync(path.join(args.outputDir, `.${name}.partial`), path.join(args.outputDir, name));
  console.log(`${hdb.nClusters} clusters, ${nNoise} noise points (${((100 * nNoise) / rows.length).toFixed(1)}%) of ${rows.length}; wrote ${files.map(([n]) => n).join(', ')} to ${args.outputDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // As run-experiments: relative paths mean the directory `npm run clusters` was typed in.
  if (process.env.INIT_CWD && process.env.INIT_CWD !== process.cwd()) process.chdir(process.env.INIT_CWD);
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
