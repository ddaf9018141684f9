/**
 * Trains the demo model on the demo dataset in Node and prints one JSON object: EM/F1 on the demo
 * validation split, wall times, throughput and the log history.
 *
 *   npx tsx src/cli/train-demo.ts [--backend auto|wasm|cpu|webgpu] [--epochs 3] [--lr 2e-3] [--batch 16]
 *     [--max-length 192] [--padding bucket|max_length] [--seed 42] [--train-rows N] [--eval-rows N]
 *     [--warmup N] [--weight-decay X] [--shape hidden_size=96,num_hidden_layers=3,...]
 *     [--position-init sinusoidal|normal] [--predictions FILE.jsonl] [--quiet]
 *     [--seeds 42,1,2,3] [--base public/models/demo-base]
 *
 * With --seeds it trains once per seed, one after another, and prints each run's object under
 * "runs" with the EM/F1 mean, min and max: the demo model's EM moves by several points with the
 * init seed alone, so one run says little about a change of settings.
 * Defaults are DEMO_TRAINING (src/domain/train/demo-settings.ts), DEMO_BASE_TRAINING with --base
 * (a pretrain-demo folder, e.g. the shipped public/models/demo-base).
 */
import { writeFileSync } from 'node:fs';
import { makeTrainingConfig } from '../domain/config/defaults';
import type { TrainingConfig } from '../domain/config/types';
import { generateDemoDataset, type DemoDataset } from '../domain/data/demo/generator';
import { createDemoModel, DEMO_TRAINING, type DemoModelOptions } from '../domain/train/demo-model';
import type { PaddingMode } from '../domain/train/padding';
import { trainAndEvaluate } from '../domain/train/trainer';
import { demoProbeConfig, DEMO_BASE_TRAINING, DEMO_TRAINING_SHAPE } from '../domain/train/demo-settings';
import { loadDemoBase } from '../domain/train/demo-base';
import { readDemoBaseFolder } from './node-inputs';
import { chooseNodeBackend, type NodeBackendChoice } from './tf-node';
import { backendFlag, numberFlag, shapeFlag } from './flags';

interface Args {
  backend: NodeBackendChoice;
  padding: PaddingMode;
  trainRows: number | null;
  evalRows: number | null;
  quiet: boolean;
  shape: NonNullable<DemoModelOptions['shape']>;
  positionInit: 'sinusoidal' | 'normal';
  /** Where to write one JSON line per eval row (question, gold, prediction, noise kind). */
  predictionsFile: string | null;
  overrides: Partial<TrainingConfig>;
  /** --seeds: one run per seed (overrides --seed). */
  seeds: number[] | null;
  /** --base: start from a pretrained demo base (pretrain-demo's folder) instead of a random init. */
  base: string | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { backend: 'auto', padding: 'bucket', trainRows: null, evalRows: null, quiet: false, shape: {}, positionInit: 'sinusoidal', predictionsFile: null, overrides: {}, seeds: null, base: null };
  const num = numberFlag;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (flag) {
      case '--backend':
        args.backend = backendFlag(next());
        break;
      case '--padding': {
        const p = next();
        if (p !== 'bucket' && p !== 'max_length') throw new Error(`--padding must be bucket or max_length, got ${JSON.stringify(p)}`);
        args.padding = p;
        break;
      }
      case '--epochs':
        args.overrides.num_train_epochs = num(flag, next());
        break;
      case '--lr':
        args.overrides.learning_rate = num(flag, next());
        break;
      case '--batch':
        args.overrides.per_device_train_batch_size = num(flag, next());
        break;
      case '--max-length':
        args.overrides.max_length = num(flag, next());
        break;
      case '--seed':
        args.overrides.seed = num(flag, next());
        break;
      case '--seeds': {
        const v = next();
        const seeds = (v ?? '').split(',').map((x) => Number(x));
        if (!v || seeds.some((x) => !Number.isInteger(x))) throw new Error(`--seeds needs integers separated by commas, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
        args.seeds = seeds;
        break;
      }
      case '--warmup':
        args.overrides.warmup_steps = num(flag, next());
        break;
      case '--weight-decay':
        args.overrides.weight_decay = num(flag, next());
        break;
      case '--train-rows':
        args.trainRows = num(flag, next());
        break;
      case '--eval-rows':
        args.evalRows = num(flag, next());
        break;
      case '--shape':
        args.shape = shapeFlag(next());
        break;
      case '--position-init': {
        const v = next();
        if (v !== 'sinusoidal' && v !== 'normal') throw new Error(`--position-init must be sinusoidal or normal, got ${JSON.stringify(v)}`);
        args.positionInit = v;
        break;
      }
      case '--predictions':
        args.predictionsFile = next() ?? null;
        if (!args.predictionsFile) throw new Error('--predictions needs a file path');
        break;
      case '--quiet':
        args.quiet = true;
        break;
      case '--base':
        args.base = next() ?? null;
        if (!args.base) throw new Error('--base needs a folder (config.json, model.safetensors, vocab.txt)');
        break;
      default:
        throw new Error(`unknown flag ${JSON.stringify(flag)} (see the comment at the top of src/cli/train-demo.ts)`);
    }
  }
  return args;
}

/** Trains and evaluates once; the JSON object this command prints for one run. */
async function runOnce(args: Args, backend: string, data: DemoDataset, seed: number | undefined, predictionsFile: string | null): Promise<RunSummary> {
  const t0 = performance.now();
  const training = makeTrainingConfig({ ...(args.base ? DEMO_BASE_TRAINING : DEMO_TRAINING), ...args.overrides, ...(seed === undefined ? {} : { seed }) });
  const demo = createDemoModel({ seed: training.seed, dataset: data, shape: args.shape, positionInit: args.positionInit });
  if (args.base) {
    demo.model.dispose();
    const base = loadDemoBase(readDemoBaseFolder(args.base), training.seed, args.base);
    demo.model = base.model;
    demo.tokenizer = base.tokenizer;
    demo.configJson = JSON.stringify(base.configJson);
  }
  const train = args.trainRows === null ? data.train : data.train.slice(0, args.trainRows);
  const evalRows = args.evalRows === null ? data.validation : data.validation.slice(0, args.evalRows);
  let lastPrint = 0;
  const out = await trainAndEvaluate({
    training,
    model: demo.model,
    tokenizer: demo.tokenizer,
    train,
    eval: evalRows,
    padding: args.padding,
    onProgress: (p) => {
      if (args.quiet || p.phase !== 'train') return;
      const t = performance.now();
      if (t - lastPrint < 5000 && p.step !== p.totalSteps) return;
      lastPrint = t;
      process.stderr.write(
        `step ${p.step}/${p.totalSteps} epoch ${p.epoch.toFixed(2)} loss ${p.loss.toFixed(4)} lr ${p.learningRate.toExponential(2)} ` +
          `${p.examplesPerSecond.toFixed(1)} ex/s eta ${p.etaSeconds.toFixed(0)} s\n`,
      );
    },
  });
  const totalSeconds = (performance.now() - t0) / 1000;
  if (predictionsFile) {
    const byId = new Map(out.predictions.map((p) => [p.id, p.predicted_answer]));
    const lines = evalRows.map((r) =>
      JSON.stringify({ id: r.id, question: r.question, gold: r.answers.text, predicted_answer: byId.get(r.id) ?? null, noise: r.noise ?? null }),
    );
    writeFileSync(predictionsFile, lines.join('\n') + '\n');
  }
  demo.model.dispose();
  return {
    backend,
    padding: args.padding,
    training: {
      max_length: training.max_length,
      per_device_train_batch_size: training.per_device_train_batch_size,
      num_train_epochs: training.num_train_epochs,
      learning_rate: training.learning_rate,
      weight_decay: training.weight_decay,
      warmup_steps: training.warmup_steps,
      seed: training.seed,
    },
    model: JSON.parse(demo.configJson) as unknown,
    metrics: out.metrics,
    trainRows: out.trainSamples,
    trainFeatures: out.trainFeatures,
    evalRows: evalRows.length,
    globalStep: out.globalStep,
    epochs: out.epochs,
    trainSeconds: out.trainSeconds,
    totalSeconds,
    examplesPerSecond: out.examplesPerSecond,
    logHistory: out.logHistory,
  };
}

interface RunSummary {
  metrics: { eval_exact_match: number; eval_f1: number } | null;
  trainSeconds: number;
  [key: string]: unknown;
}

const stats = (xs: number[]) => ({ mean: xs.reduce((a, x) => a + x, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) });

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const shapeConfig = { ...demoProbeConfig(), ...args.shape };
  const runShape = { batch: args.overrides.per_device_train_batch_size ?? DEMO_TRAINING_SHAPE.batch, seq: args.overrides.max_length ?? DEMO_TRAINING_SHAPE.seq };
  const { backend } = await chooseNodeBackend(args.backend, shapeConfig, runShape, (line) => !args.quiet && process.stderr.write(`[backend] ${line}\n`));
  const data = generateDemoDataset();
  if (!args.seeds) {
    const run = await runOnce(args, backend, data, undefined, args.predictionsFile);
    process.stdout.write(JSON.stringify(run, null, 2) + '\n');
    return;
  }
  const runs: RunSummary[] = [];
  for (const [i, seed] of args.seeds.entries()) {
    if (!args.quiet) process.stderr.write(`seed ${seed} (${i + 1}/${args.seeds.length})\n`);
    // One predictions file per seed: FILE.jsonl → FILE.seed-<seed>.jsonl.
    const predictions = args.predictionsFile ? args.predictionsFile.replace(/(\.jsonl)?$/, `.seed-${seed}.jsonl`) : null;
    runs.push(await runOnce(args, backend, data, seed, predictions));
  }
  const em = runs.map((r) => r.metrics?.eval_exact_match ?? NaN);
  const f1 = runs.map((r) => r.metrics?.eval_f1 ?? NaN);
  const summary = { seeds: args.seeds, eval_exact_match: stats(em), eval_f1: stats(f1), trainSeconds: stats(runs.map((r) => r.trainSeconds)), runs };
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
}

// Dawn (webgpu) keeps the event loop alive: leave when the work is done.
main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
