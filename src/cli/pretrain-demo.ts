/**
 * Pretrains the demo base model on demo notes from seeds other than the demo dataset's
 * (src/domain/data/demo/corpus.ts), no questions or answers, with one of two self-supervised
 * objectives: masked-language modelling (`--objective mlm`, src/domain/train/pretrain.ts), or
 * recurring span selection (`--objective span-selection`, Splinter: a recap span masked in the
 * query, found in the note body; src/domain/data/demo/span-selection.ts), usually after MLM with
 * `--init`. It then writes it in Hugging Face format (config.json, model.safetensors of the encoder
 * without a QA head, tokenizer.json, tokenizer_config.json, vocab.txt, and pretraining.json with the settings
 * and figures) for fine-tuning with `train-demo --base DIR` or the app's demo base.
 *
 *   npx tsx src/cli/pretrain-demo.ts [--notes 20000] [--corpus-seed 7] [--seed 42] [--steps 6000]
 *     [--batch 32] [--lr 1e-3] [--warmup 600] [--weight-decay 0.01] [--max-length 192]
 *     [--shape hidden_size=96,...] [--masking token|span] [--objective mlm|span-selection] [--init BASE_DIR] [--out public/models/demo-base] [--backend wasm]
 * Deterministic for its seeds on one backend; prints its settings, the corpus size, steps, time
 * and the loss.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { demoPretrainingCorpus, type DemoCorpus } from '../domain/data/demo/corpus';
import { spanSelectionRecords } from '../domain/data/demo/span-selection';
import { makeTrainingConfig } from '../domain/config/defaults';
import { trainAndEvaluate } from '../domain/train/trainer';
import { createDemoModel, type DemoModelBundle, type DemoModelOptions } from '../domain/train/demo-model';
import { createMlmHead, pretrainMlm, type PretrainSequence } from '../domain/train/pretrain';
import { createRng, deriveSeed } from '../domain/train/rng';
import { chooseNodeBackend, type NodeBackendChoice } from './tf-node';
import { backendFlag, intFlag, numberFlag, shapeFlag } from './flags';
import { DEMO_BASE_TRAINING, demoProbeConfig } from '../domain/train/demo-settings';
import { writeSafetensors } from '../domain/model/safetensors';
import { toHfConfigJson } from '../domain/model/config';
import { loadDemoBase } from '../domain/train/demo-base';
import { readDemoBaseFolder } from './node-inputs';

interface Args {
  notes: number;
  corpusSeed: number;
  seed: number;
  /** null: 6000 for MLM, one pass over the records for span selection. */
  steps: number | null;
  /** null: the objective's default (stageBatch). */
  batch: number | null;
  lr: number;
  warmup: number | null;
  weightDecay: number;
  maxLength: number;
  shape: NonNullable<DemoModelOptions['shape']>;
  out: string;
  backend: NodeBackendChoice;
  masking: 'token' | 'span';
  objective: 'mlm' | 'span-selection';
  /** --init: continue from a base folder's encoder (a fresh MLM head and schedule). */
  init: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { notes: 20000, corpusSeed: 7, seed: 42, steps: null, batch: null, lr: 1e-3, warmup: null, weightDecay: 0.01, maxLength: 192, shape: {}, out: 'public/models/demo-base', backend: 'wasm', masking: 'token', objective: 'mlm', init: null };
  const num = numberFlag;
  const int = intFlag;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case '--notes': a.notes = int(flag, next(), 1); break;
      case '--corpus-seed': a.corpusSeed = int(flag, next(), 0); break;
      case '--seed': a.seed = int(flag, next(), 0); break;
      case '--steps': a.steps = int(flag, next(), 1); break;
      case '--batch': a.batch = int(flag, next(), 1); break;
      case '--lr': a.lr = num(flag, next()); break;
      case '--warmup': a.warmup = int(flag, next(), 0); break;
      case '--weight-decay': a.weightDecay = num(flag, next()); break;
      case '--max-length': a.maxLength = int(flag, next(), 16); break;
      case '--out': a.out = next() ?? ''; break;
      case '--backend': a.backend = backendFlag(next()); break;
      case '--shape': a.shape = shapeFlag(next()); break;
      case '--init': a.init = next() ?? null; if (!a.init) throw new Error('--init needs a base folder'); break;
      case '--objective': {
        const o = next();
        if (o !== 'mlm' && o !== 'span-selection') throw new Error(`--objective must be mlm or span-selection, got ${JSON.stringify(o)}`);
        a.objective = o;
        break;
      }
      case '--masking': {
        const m = next();
        if (m !== 'token' && m !== 'span') throw new Error(`--masking must be token or span, got ${JSON.stringify(m)}`);
        a.masking = m;
        break;
      }
      default:
        throw new Error(`unknown flag ${JSON.stringify(flag)}`);
    }
  }
  if (!a.out) throw new Error('--out needs a folder');
  return a;
}

/** "[CLS] A [SEP] B [SEP]" with the note split after a random sentence (so both segment embeddings train), cut to maxLength. */
function toSequences(notes: string[], encodePair: (a: string, b: string) => { ids: Int32Array; tokenTypeIds: Int32Array }, maxLength: number, seed: number): PretrainSequence[] {
  const rng = createRng(deriveSeed(seed, 'pretrain-split'));
  return notes.map((note) => {
    const sentences = note.split(/(?<=\. )/);
    const cut = sentences.length > 1 ? 1 + rng.nextInt(sentences.length - 1) : 1;
    const e = encodePair(sentences.slice(0, cut).join('').trim(), sentences.slice(cut).join('').trim());
    if (e.ids.length <= maxLength) return { ids: e.ids, tokenTypeIds: e.tokenTypeIds };
    // Keep the final [SEP].
    const ids = Int32Array.from(e.ids.subarray(0, maxLength));
    ids[maxLength - 1] = e.ids[e.ids.length - 1];
    return { ids, tokenTypeIds: Int32Array.from(e.tokenTypeIds.subarray(0, maxLength)) };
  });
}

/** --batch, or the objective's default: 32 sequences for MLM, the demo fine-tuning batch (8) for span selection. */
function stageBatch(args: Args): number {
  return args.batch ?? (args.objective === 'span-selection' ? 8 : 32);
}

/** What each objective's run reports, merged into pretraining.json. */
interface StageResult {
  objective: string;
  steps: number;
  batch: number;
  warmup_steps: number;
  corpus: Record<string, number>;
  firstLoss: number;
  finalLoss: number;
  seconds: number;
}

async function pretrainWithMlm(args: Args, demo: DemoModelBundle, corpus: DemoCorpus): Promise<StageResult> {
  const tok = demo.tokenizer;
  if (tok.maskId === null) throw new Error('the demo tokenizer has no [MASK] token');
  const steps = args.steps ?? 6000;
  const batch = stageBatch(args);
  const sequences = toSequences(corpus.notes, (a, b) => tok.encodePair(a, b), args.maxLength, args.seed);
  const tokens = sequences.reduce((n, s) => n + s.ids.length, 0);
  const warmup = args.warmup ?? Math.round(steps / 10);
  const objective = args.masking === 'span' ? 'masked-lm, whole-word spans (SpanBERT: geometric p 0.2, ≤ 10 words, 15% of tokens; per span 80% [MASK], 10% random, 10% kept)' : 'masked-lm (15% of tokens: 80% [MASK], 10% random, 10% kept)';
  process.stderr.write(`pretraining ${JSON.stringify({ objective, notes: corpus.notes.length, tokens, steps, batch, warmup, lr: args.lr })}\n`);
  const rng = createRng(deriveSeed(args.seed, 'pretrain'));
  const head = createMlmHead(demo.config, rng);
  const result = await pretrainMlm(demo.model, head, {
    sequences,
    steps,
    batchSize: batch,
    learningRate: args.lr,
    warmupSteps: warmup,
    weightDecay: args.weightDecay,
    bucket: 16,
    rng,
    special: new Set([tok.clsId, tok.sepId, tok.padId]),
    maskId: tok.maskId,
    padId: tok.padId,
    spanContinuation: args.masking === 'span' ? new Set(demo.vocabTxt.split('\n').flatMap((t, id) => (t.startsWith('##') ? [id] : []))) : undefined,
    onLog: (step, loss) => process.stderr.write(`step ${step}/${steps} mlm loss ${loss.toFixed(4)}\n`),
  });
  for (const v of head.values()) v.dispose();
  return { ...result, objective, steps, batch, warmup_steps: warmup, corpus: { tokens } };
}

/** Span selection through the fine-tuning trainer itself: the records are QA-shaped. */
async function pretrainWithSpanSelection(args: Args, demo: DemoModelBundle, corpus: DemoCorpus): Promise<StageResult> {
  const records = spanSelectionRecords(corpus.parts, { seed: deriveSeed(args.seed, 'span-selection-records'), maskToken: demo.tokenizer.spec.maskToken ?? '[MASK]' });
  const batch = stageBatch(args);
  const steps = args.steps ?? Math.ceil(records.length / batch);
  const warmup = args.warmup ?? Math.round(steps / 10);
  const training = makeTrainingConfig({ ...DEMO_BASE_TRAINING, per_device_train_batch_size: batch, num_train_epochs: 1, learning_rate: args.lr, warmup_steps: warmup, weight_decay: args.weightDecay, max_length: args.maxLength, seed: args.seed });
  const objective = 'recurring span selection (Splinter: a span of a recap item that occurs once in the note body is masked in the query and found in the body)';
  process.stderr.write(`pretraining ${JSON.stringify({ objective, notes: corpus.parts.length, records: records.length, steps, batch, warmup, lr: args.lr })}\n`);
  const t0 = performance.now();
  let firstLoss = NaN;
  let finalLoss = NaN;
  const losses: number[] = [];
  await trainAndEvaluate({
    training,
    model: demo.model,
    tokenizer: demo.tokenizer,
    train: records,
    eval: null,
    maxSteps: steps,
    onStep: ({ step, loss }) => {
      if (step === 1) firstLoss = loss;
      losses.push(loss);
      if (step % 200 === 0 || step === steps) {
        // The mean of the last 200 steps: one batch of 8 is too noisy a final figure.
        finalLoss = losses.slice(-200).reduce((a, b) => a + b, 0) / Math.min(200, losses.length);
        process.stderr.write(`step ${step}/${steps} span-selection loss ${finalLoss.toFixed(4)}\n`);
      }
    },
  });
  return { objective, steps, batch, warmup_steps: warmup, corpus: { records: records.length }, firstLoss, finalLoss, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { backend } = await chooseNodeBackend(args.backend, { ...demoProbeConfig(), ...args.shape }, { batch: stageBatch(args), seq: args.maxLength }, (line) => process.stderr.write(`[backend] ${line}\n`));
  const corpus = demoPretrainingCorpus({ notes: args.notes, seed: args.corpusSeed });
  const demo = createDemoModel({ seed: args.seed, shape: args.shape });
  let previous: unknown = null;
  if (args.init) {
    const from = loadDemoBase(readDemoBaseFolder(args.init), args.seed, args.init);
    if (from.tokenizer.vocabSize !== demo.tokenizer.vocabSize) throw new Error(`${args.init}: not the demo vocabulary`);
    demo.model.dispose();
    demo.model = from.model;
    demo.config = from.config;
    const recipe = path.join(args.init, 'pretraining.json');
    if (existsSync(recipe)) previous = JSON.parse(readFileSync(recipe, 'utf8')) as unknown;
  }
  const stage = args.objective === 'span-selection' ? await pretrainWithSpanSelection(args, demo, corpus) : await pretrainWithMlm(args, demo, corpus);
  const { corpus: counts, ...figures } = stage;
  const hfConfig = toHfConfigJson(demo.model.config);
  const summary = {
    backend,
    ...figures,
    corpus: { notes: corpus.notes.length, ...counts, seed: args.corpusSeed, droppedAsDemo: corpus.droppedAsDemo, droppedAsDuplicate: corpus.droppedAsDuplicate },
    seed: args.seed,
    learning_rate: args.lr,
    weight_decay: args.weightDecay,
    max_length: args.maxLength,
    init: args.init,
    model: hfConfig,
    // The recipe of the base this stage continued, so the shipped file tells the whole history.
    previous,
  };
  mkdirSync(args.out, { recursive: true });
  const configJson = JSON.stringify(hfConfig, null, 2) + '\n';
  // The encoder only, as ELECTRA-small's discriminator is shipped: fine-tuning initialises the QA
  // head from its own seed (Hugging Face reports qa_outputs as newly initialised).
  const weights = await demo.model.toHostTensors();
  for (const name of [...weights.keys()]) if (name.startsWith('qa_outputs.')) weights.delete(name);
  const safetensors = writeSafetensors(weights);
  writeFileSync(path.join(args.out, 'model.safetensors'), safetensors);
  writeFileSync(path.join(args.out, 'config.json'), configJson);
  writeFileSync(path.join(args.out, 'tokenizer.json'), demo.tokenizerJson);
  writeFileSync(path.join(args.out, 'tokenizer_config.json'), demo.tokenizerConfigJson);
  writeFileSync(path.join(args.out, 'vocab.txt'), demo.vocabTxt);
  writeFileSync(path.join(args.out, 'pretraining.json'), JSON.stringify(summary, null, 2) + '\n');
  demo.model.dispose();
  process.stdout.write(JSON.stringify({ ...summary, previous: undefined, out: args.out, bytes: safetensors.length }, null, 2) + '\n');
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
