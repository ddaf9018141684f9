/**
 * `npm run experiments -- ...`: the headless counterpart of `run_experiments.py`. Runs suites or
 * config files with the same domain code as the browser (wasm backend) and writes the Python
 * system's folder layout; `--mode analyze` summarises a folder of results.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, UsageError, USAGE, type CliArgs } from './args';
import { chooseNodeBackend, nodeBackendProvenance } from './tf-node';
import { main as clustersMain } from './clusters';
import { loadNodeDataset, loadNodeModel, nodeModelConfig, readArtifactFromDisk, artifactFile } from './node-inputs';
import { buildSuite } from '../domain/config/suites';
import { importPythonConfig } from '../domain/config/import';
import { checkPrerequisites, cartographyRunSpec, type ArtifactRequirement } from '../domain/config/prerequisites';
import type { ExperimentConfig, ExperimentSpec } from '../domain/config/types';
import type { TrainingOverrides } from '../domain/config/defaults';
import { configHash, experimentDirName } from '../domain/config/serialize';
import { DEMO_BASE_TRAINING, DEMO_TRAINING } from '../domain/train/demo-settings';
import { executeExperiment, failedResult, type ExperimentOutputs } from '../domain/experiments/execute';
import { buildExperimentFolder, type FolderEntry } from '../domain/experiments/folder';
import { mergeAllResults, parseAllResultsJson, allResultsJsonText, formatRunSummary, type ExperimentResult } from '../domain/experiments/result';
import { planExperiments, formatPlan } from '../domain/experiments/plan';
import { pyIsoformatNow } from '../domain/experiments/pytime';
import { serializeMetricsCsv, serializeMetricsJson } from '../domain/cartography/metrics-files';
import { dynamicsFileName, dynamicsThroughEpoch, serializeDynamics } from '../domain/cartography/dynamics-file';
import pkg from '../../package.json' with { type: 'json' };
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function gitCommit(): string | undefined {
  try {
    // Our checkout's commit, wherever the command was started (main() may chdir to INIT_CWD).
    return execSync('git rev-parse --short HEAD', { cwd: path.dirname(fileURLToPath(import.meta.url)), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

function writeEntries(root: string, entries: FolderEntry[]): void {
  for (const e of entries) {
    const file = path.join(root, e.path);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, e.bytes);
  }
}

/** Training settings every experiment of this invocation gets (demo model needs its own). */
function trainingOverrides(args: CliArgs): TrainingOverrides {
  const o: TrainingOverrides = {};
  if (args.model === 'demo') Object.assign(o, DEMO_BASE_TRAINING);
  if (args.model === 'demo-scratch') Object.assign(o, DEMO_TRAINING);
  if (args.epochs !== null) o.num_train_epochs = args.epochs;
  if (args.gradientAccumulationSteps !== null && args.gradientAccumulationSteps > 1) o.gradient_accumulation_steps = args.gradientAccumulationSteps;
  return o;
}

function loadConfigs(args: CliArgs, overrides: TrainingOverrides): ExperimentConfig[] {
  if (args.suite) {
    return buildSuite(args.suite, {
      max_train_samples: args.maxTrainSamples,
      max_eval_samples: args.maxEvalSamples,
      cartography_dir: args.cartographyDir,
      validation_cartography_dir: args.validationCartographyDir,
      cluster_dir: args.clusterDir,
      seeds: args.seeds,
      batch_size: args.batchSize,
      training: overrides,
    });
  }
  const out: ExperimentConfig[] = [];
  for (const file of args.configs) {
    try {
      const imported = importPythonConfig(readFileSync(file, 'utf8'), file);
      for (const w of imported.warnings) console.log(`[WARN] ${file}: ${w}`);
      // --epochs is for every experiment (the help says so); the files' other settings stand as written.
      const config = { ...imported.config, training: { ...imported.config.training } };
      if (args.epochs !== null) config.training.num_train_epochs = args.epochs;
      if (args.gradientAccumulationSteps !== null && args.gradientAccumulationSteps > 1) config.training.gradient_accumulation_steps = args.gradientAccumulationSteps;
      out.push(config);
    } catch (e) {
      console.log(`[ERROR] Failed to load config ${file}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Writes a cartography run's files where Python's run.py would (cartography_output_dir). */
function writeCartography(dir: string, out: ExperimentOutputs): void {
  const c = out.train.cartography;
  if (!c) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'cartography_metrics.csv'), serializeMetricsCsv(c));
  writeFileSync(path.join(dir, 'cartography_metrics.json'), serializeMetricsJson(c));
  const dyn = out.train.dynamics;
  if (dyn) for (let n = 1; n <= Math.ceil(out.train.epochs); n++) writeFileSync(path.join(dir, dynamicsFileName(n)), serializeDynamics(dynamicsThroughEpoch(dyn, n)));
}

interface RunContext {
  args: CliArgs;
  provenance: { app_version: string; git_commit?: string; backend: string; adapter: string };
}

async function runOne(ctx: RunContext, spec: ExperimentSpec, banner: string, outRoot = ctx.args.experimentsDir): Promise<ExperimentResult> {
  const { config } = spec;
  const hash = configHash(config);
  console.log(`\n${'='.repeat(80)}\n${banner}: ${config.name}\n${'='.repeat(80)}\nDescription: ${config.description}\nConfig hash: ${hash}`);
  const start = Date.now() / 1000;
  const expDir = path.join(outRoot, `${config.name}_${hash}`);
  let result: ExperimentResult;
  let files: Parameters<typeof buildExperimentFolder>[0][number]['trainer_output'];
  try {
    const data = await loadNodeDataset(ctx.args.data, ctx.args.evalData);
    const { model, tokenizer, configJson, label, tokenizerFiles } = await loadNodeModel(ctx.args.model, config.training.seed, ctx.args.hubEndpoint);
    console.log(`Model: ${label}; data: ${data.label} (${data.train.length} train / ${data.eval.length} eval rows)`);
    try {
      let lastLog = 0;
      const out = await executeExperiment({
        spec,
        trainRows: spec.app.train_split === 'validation' ? data.eval : data.train,
        evalRows: data.eval,
        model,
        tokenizer,
        resolveArtifact: readArtifactFromDisk,
        provenance: ctx.provenance,
        onMessage: (line) => console.log(line),
        onLog: (e) => {
          if (e.loss !== undefined) console.log(`  step ${e.step} epoch ${e.epoch.toFixed(2)} loss ${e.loss} lr ${e.learning_rate?.toExponential(2)}`);
          if (e.eval_f1 !== undefined) console.log(`  eval at step ${e.step}: F1 ${e.eval_f1.toFixed(2)} EM ${e.eval_exact_match?.toFixed(2)}`);
        },
        onProgress: (p) => {
          if (p.phase === 'train' && Date.now() - lastLog > 15000) {
            lastLog = Date.now();
            console.log(`  [${p.step}/${p.totalSteps}] ${p.examplesPerSecond.toFixed(1)} ex/s, ETA ${Math.round(p.etaSeconds)} s`);
          }
        },
      });
      result = out.result;
      if (config.training.enable_cartography) {
        const target = config.training.cartography_output_dir;
        const dir = existsSync(path.join(target, 'cartography_metrics.csv')) ? path.join(expDir, 'cartography_output') : target;
        writeCartography(dir, out);
        console.log(`Cartography metrics written to ${dir}${dir !== target ? ` (${target} already holds metrics; never overwritten)` : ''}`);
      }
      const byId = new Map(out.evalRows.map((r) => [r.id, r]));
      const { safetensors } = await model.exportHf();
      files = {
        eval_predictions: out.train.predictions.map((p) => {
          const r = byId.get(p.id);
          const { noise: _noise, ...fields } = r ?? { id: p.id };
          return { ...fields, predicted_answer: p.predicted_answer };
        }),
        model_config: configJson,
        model_safetensors: safetensors,
        // As the Trainer saves its tokenizer: the folder is a model `--model DIR` and `npm run clusters` load.
        extra: tokenizerFiles,
      };
    } finally {
      model.dispose();
    }
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    console.log(`[ERROR] ${config.name} failed: ${err.message}`);
    result = failedResult(spec, err, start, Date.now() / 1000, ctx.provenance);
  }
  // Per experiment: config.json, results.json, trainer_output/ (results.csv is written by analyze).
  const entries = buildExperimentFolder([{ config, result, trainer_output: files }], { now: pyIsoformatNow(Date.now()) }).filter((e) => e.path.includes('/'));
  writeEntries(outRoot, entries);
  if (result.success) console.log(`F1=${result.metrics.eval_f1} EM=${result.metrics.eval_exact_match} in ${result.duration_seconds?.toFixed(1)} s`);
  return result;
}

/**
 * Missing prerequisites are made before the suite: cartography metrics by a cartography run
 * (5 epochs) written to the path the suite reads; then cluster assignments by `npm run clusters`'
 * code, embedding with the model the train-split cartography run left (fine-tuned, as the Python
 * workflow's ./initial_training) or, without one, with --model.
 */
async function makePrerequisites(ctx: RunContext, specs: ExperimentSpec[], overrides: TrainingOverrides): Promise<void> {
  const report = checkPrerequisites(
    specs.map((s) => s.config),
    (req) => (existsSync(artifactFile(req)) ? { artifactId: artifactFile(req) } : null),
  );
  const auto = ctx.args.autoPrerequisites && !ctx.args.dryRun;
  let trainedModel: string | null = null;
  // Cartography first: a clustering embeds with the model it leaves.
  const ordered = [...report.missing].sort((a, b) => Number(a.requirement.make.type !== 'cartography_run') - Number(b.requirement.make.type !== 'cartography_run'));
  for (const item of ordered) {
    const req: ArtifactRequirement = item.requirement;
    console.log(`\nMissing prerequisite for ${item.experiments.join(', ')}: ${req.explanation}`);
    if (req.make.type === 'cartography_run' && auto) {
      console.log(`Making it now: ${req.how_to_make}`);
      // --max-eval-samples limits the prerequisite's evaluation too: on tiny limits it would
      // otherwise score the whole validation split, the slowest part of the run.
      const evalLimit = ctx.args.maxEvalSamples != null ? { max_eval_samples: ctx.args.maxEvalSamples } : {};
      const spec = cartographyRunSpec(req, { training: { ...overrides, ...evalLimit, num_train_epochs: ctx.args.cartographyEpochs, seed: 42 } });
      // Like the guide's `run.py ... --output_dir ./initial_training`: the run's own files stay out of
      // the experiments folder, so the analysis compares only the suite's experiments.
      const root = path.join(req.path, 'initial_training');
      const r = await runOne(ctx, spec, 'PREREQUISITE', root);
      if (!r.success) console.log(`[ERROR] The cartography run failed; experiments needing ${req.path} will fail.`);
      else if (req.split === 'train') trainedModel = path.join(root, experimentDirName(spec.config), 'trainer_output');
    } else if (req.make.type === 'clustering' && auto) {
      const model = trainedModel ?? ctx.args.model;
      const argv = ['--data', ctx.args.data, '--split', req.split, '--model', model, '--output-dir', req.path, '--hub-endpoint', ctx.args.hubEndpoint];
      if (ctx.args.evalData) argv.push('--eval-data', ctx.args.evalData);
      if (req.make.max_samples !== null) argv.push('--max-samples', String(req.make.max_samples));
      console.log(`Making it now: embeddings of the ${req.split} split with ${trainedModel ? `the cartography run's model (${model})` : model}, then HDBSCAN`);
      console.log(`  (npm run clusters -- ${argv.join(' ')})`);
      const code = await clustersMain(argv, { backendReady: true });
      if (code !== 0) console.log(`[ERROR] The clustering failed; experiments needing ${req.path} will fail.`);
    } else {
      console.log(`How to make it: ${req.how_to_make}`);
      for (const c of req.python_commands) console.log(`  (Python: ${c})`);
    }
  }
}

async function runMode(args: CliArgs): Promise<number> {
  const overrides = trainingOverrides(args);
  const configs = loadConfigs(args, overrides);
  if (!args.suite && args.configs.length === 0) {
    console.log('Error: Must specify either --suite or --configs');
    return 1;
  }
  if (configs.length === 0) {
    console.log('No experiments to run.');
    return 1;
  }
  const appSettings = { data_source: args.data === 'demo' ? 'demo' : `file:${args.data}`, model_source: args.model };
  const specs: ExperimentSpec[] = configs.map((config) => ({ config, app: appSettings }));
  if (args.dryRun) {
    const plan = planExperiments(specs, { resolve: (req) => (existsSync(artifactFile(req)) ? { artifactId: artifactFile(req) } : null) });
    console.log(formatPlan(plan));
    // Python's dry run saves each config.json.
    for (const s of specs) writeEntries(args.experimentsDir, buildExperimentFolder([{ config: s.config }]));
    return 0;
  }
  // The probe times the heaviest run's batch × sequence.
  const heaviest = { batch: Math.max(...specs.map((s) => s.config.training.per_device_train_batch_size)), seq: Math.max(...specs.map((s) => s.config.training.max_length)) };
  const { backend } = await chooseNodeBackend(args.backend, await nodeModelConfig(args.model, args.hubEndpoint), heaviest, (line) => console.log(`[backend] ${line}`), { remeasure: args.remeasure });
  const ctx: RunContext = { args, provenance: { app_version: pkg.version, git_commit: gitCommit(), backend, adapter: nodeBackendProvenance(backend) } };
  mkdirSync(args.experimentsDir, { recursive: true });
  await makePrerequisites(ctx, specs, overrides);

  const results: ExperimentResult[] = [];
  for (let i = 0; i < specs.length; i++) {
    const r = await runOne(ctx, specs[i], `EXPERIMENT ${i + 1}/${specs.length}`);
    results.push(r);
    if (!r.success && args.stopOnError) {
      console.log('Stopping on error (--stop-on-error).');
      break;
    }
  }
  const allFile = path.join(args.experimentsDir, 'all_results.json');
  const existing = existsSync(allFile) ? parseAllResultsJson(readFileSync(allFile, 'utf8'), allFile) : null;
  writeFileSync(allFile, allResultsJsonText(mergeAllResults(existing, results, pyIsoformatNow(Date.now()))));
  console.log(formatRunSummary(results));
  return results.every((r) => r.success) ? 0 : 2;
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) console.error(`error: ${e.message}\n`);
      console.error(USAGE);
      return e.message ? 2 : 0;
    }
    throw e;
  }
  if (args.mode === 'analyze') {
    const { runAnalyze } = await import('./analyze');
    await runAnalyze({ experimentsDir: args.experimentsDir, showPlots: args.showPlots });
    return 0;
  }
  return runMode(args);
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]).includes('run-experiments');
if (invokedDirectly) {
  // `npm run experiments` runs in the package root; relative paths on the command line (and the
  // configs' ./cartography_output and the like) mean the directory the user typed it in, which npm
  // records in INIT_CWD, as `python run_experiments.py` resolves them from where it is started.
  if (process.env.INIT_CWD && process.env.INIT_CWD !== process.cwd()) process.chdir(process.env.INIT_CWD);
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exit(1);
    },
  );
}
