/**
 * `npx tsx bench/noise-share.ts [--model demo|demo-scratch] [--epochs 5] [--backend auto|wasm|cpu|webgpu] [--seed 42] [--train-rows N]`
 *
 * Fine-tunes the demo base (`--model demo`, the default; DEMO_BASE_TRAINING) or trains the demo
 * model from scratch (`demo-scratch`; DEMO_TRAINING) on the demo dataset's train split with
 * cartography tracking (as an `enable_cartography` run does), categorizes the examples by the median thresholds and
 * prints one JSON object: how many of the deliberately noisy rows (QARecord.noise) land in each
 * region, the share that lands in the hard or ambiguous regions, and the same share among the
 * clean rows for comparison (by construction about 75% of all rows are hard or ambiguous, so the
 * comparison is what says whether cartography singles the noise out).
 */
import { makeTrainingConfig } from '../src/domain/config/defaults';
import { generateDemoDataset } from '../src/domain/data/demo/generator';
import { createDemoModel, DEMO_TRAINING } from '../src/domain/train/demo-model';
import { DEMO_BASE_TRAINING } from '../src/domain/train/demo-settings';
import { loadDemoBase } from '../src/domain/train/demo-base';
import { readDemoBaseFolder } from '../src/cli/node-inputs';
import { trainAndEvaluate } from '../src/domain/train/trainer';
import { chooseNodeBackend, NODE_BACKEND_CHOICES, type NodeBackendChoice } from '../src/cli/tf-node';
import { demoProbeConfig, DEMO_TRAINING_SHAPE } from '../src/domain/train/demo-settings';
import { cartographyView, noiseByRegion, noiseLookup } from '../src/ui/state/cartography-view';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const epochs = Number(arg('epochs') ?? 5);
const seed = Number(arg('seed') ?? 42);
const backendName = (arg('backend') ?? 'auto') as NodeBackendChoice;
if (!NODE_BACKEND_CHOICES.includes(backendName)) throw new Error(`--backend must be one of ${NODE_BACKEND_CHOICES.join(', ')}`);
const trainRows = arg('train-rows');
const modelName = arg('model') ?? 'demo';
if (modelName !== 'demo' && modelName !== 'demo-scratch') throw new Error('--model must be demo or demo-scratch');

const baseFiles = modelName === 'demo' ? readDemoBaseFolder() : null;
const shapeConfig = baseFiles ? (JSON.parse(baseFiles['config.json']) as Record<string, unknown>) : demoProbeConfig();
const { backend } = await chooseNodeBackend(backendName, shapeConfig, DEMO_TRAINING_SHAPE, (l) => process.stderr.write(`[backend] ${l}\n`));
const data = generateDemoDataset();
const train = trainRows === undefined ? data.train : data.train.slice(0, Number(trainRows));
const training = makeTrainingConfig({ ...(baseFiles ? DEMO_BASE_TRAINING : DEMO_TRAINING), num_train_epochs: epochs, seed, enable_cartography: true });
const demo = baseFiles ? loadDemoBase(baseFiles, seed) : createDemoModel({ seed, dataset: data });
const t0 = performance.now();
let lastPrint = 0;
const out = await trainAndEvaluate({
  training,
  model: demo.model,
  tokenizer: demo.tokenizer,
  train,
  eval: null,
  trackCartography: true,
  onProgress: (p) => {
    const t = performance.now();
    if (p.phase !== 'train' || (t - lastPrint < 15_000 && p.step !== p.totalSteps)) return;
    lastPrint = t;
    process.stderr.write(`step ${p.step}/${p.totalSteps} epoch ${p.epoch.toFixed(2)} loss ${p.loss.toFixed(4)} eta ${p.etaSeconds.toFixed(0)} s\n`);
  },
});
demo.model.dispose();
if (!out.cartography) throw new Error('the run recorded no cartography metrics');

const noiseById = noiseLookup(
  train.map((r) => r.id),
  train.map((r) => r.noise),
);
const view = cartographyView(out.cartography);
const noise = noiseByRegion(out.cartography, view.categorization, (id) => noiseById.get(id));
const round4 = (x: number) => Math.round(x * 10000) / 10000;
console.log(
  JSON.stringify({
    backend,
    model: modelName,
    epochs,
    seed,
    trainRows: train.length,
    metricsRows: out.cartography.length,
    trainSeconds: Math.round(out.trainSeconds),
    totalSeconds: Math.round((performance.now() - t0) / 1000),
    thresholds: { confidence: round4(view.categorization.thresholds.confidence), variability: round4(view.categorization.thresholds.variability) },
    regions: Object.fromEntries(view.regions.map((r) => [r.category, r.count])),
    noisyRows: noise.noisyTotal,
    noisyByRegion: noise.noisy,
    noisyByKind: noise.byKind,
    noisyHardOrAmbiguousShare: round4(noise.noisyHardOrAmbiguousShare),
    noisyHardShare: round4(noise.noisy.hard / noise.noisyTotal),
    cleanRows: noise.cleanTotal,
    cleanByRegion: noise.clean,
    cleanHardOrAmbiguousShare: round4(noise.cleanHardOrAmbiguousShare),
    cleanHardShare: round4(noise.clean.hard / noise.cleanTotal),
  }),
);
// Dawn (webgpu) keeps the event loop alive.
process.exit(0);
