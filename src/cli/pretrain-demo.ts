/**
 * Pretrains the demo base model: masked-language modelling (src/domain/train/pretrain.ts) on demo
 * notes from seeds other than the demo dataset's (src/domain/data/demo/corpus.ts), no questions or
 * answers; then writes it in Hugging Face format (config.json, model.safetensors of the encoder
 * without a QA head, tokenizer.json, tokenizer_config.json, vocab.txt, and pretraining.json with the settings
 * and figures) for fine-tuning with `train-demo --base DIR` or the app's demo base.
 *
 *   npx tsx src/cli/pretrain-demo.ts [--notes 20000] [--corpus-seed 7] [--seed 42] [--steps 6000]
 *     [--batch 32] [--lr 1e-3] [--warmup 600] [--weight-decay 0.01] [--max-length 192]
 *     [--shape hidden_size=96,...] [--masking token|span] [--init BASE_DIR] [--out public/models/demo-base] [--backend wasm]
 * Deterministic for its seeds on one backend; prints its settings, the corpus size, steps, time
 * and the loss.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { demoPretrainingCorpus } from '../domain/data/demo/corpus';
import { createDemoModel, type DemoModelOptions } from '../domain/train/demo-model';
import { createMlmHead, pretrainMlm, type PretrainSequence } from '../domain/train/pretrain';
import { createRng, deriveSeed } from '../domain/train/rng';
import { chooseNodeBackend, type NodeBackendChoice } from './tf-node';
import { backendFlag, intFlag, numberFlag, shapeFlag } from './flags';
import { demoProbeConfig } from '../domain/train/demo-settings';
import { writeSafetensors } from '../domain/model/safetensors';
import { toHfConfigJson } from '../domain/model/config';
import { loadDemoBase } from '../domain/train/demo-base';
import { readDemoBaseFolder } from './node-inputs';

interface Args {
  notes: number;
  corpusSeed: number;
  seed: number;
  steps: number;
  batch: number;
  lr: number;
  warmup: number | null;
  weightDecay: number;
  maxLength: number;
  shape: NonNullable<DemoModelOptions['shape']>;
  out: string;
  backend: NodeBackendChoice;
  masking: 'token' | 'span';
  /** --init: continue from a base folder's encoder (a fresh MLM head and schedule). */
  init: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { notes: 20000, corpusSeed: 7, seed: 42, steps: 6000, batch: 32, lr: 1e-3, warmup: null, weightDecay: 0.01, maxLength: 192, shape: {}, out: 'public/models/demo-base', backend: 'wasm', masking: 'token', init: null };
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { backend } = await chooseNodeBackend(args.backend, { ...demoProbeConfig(), ...args.shape }, { batch: args.batch, seq: args.maxLength }, (line) => process.stderr.write(`[backend] ${line}\n`));
  const corpus = demoPretrainingCorpus({ notes: args.notes, seed: args.corpusSeed });
  const demo = createDemoModel({ seed: args.seed, shape: args.shape });
  if (args.init) {
    const from = loadDemoBase(readDemoBaseFolder(args.init), args.seed, args.init);
    if (from.tokenizer.vocabSize !== demo.tokenizer.vocabSize) throw new Error(`${args.init}: not the demo vocabulary`);
    demo.model.dispose();
    demo.model = from.model;
  }
  const tok = demo.tokenizer;
  if (tok.maskId === null) throw new Error('the demo tokenizer has no [MASK] token');
  const sequences = toSequences(corpus.notes, (a, b) => tok.encodePair(a, b), args.maxLength, args.seed);
  const tokens = sequences.reduce((n, s) => n + s.ids.length, 0);
  const warmup = args.warmup ?? Math.round(args.steps / 10);
  const settings = { backend, corpus: { notes: corpus.notes.length, tokens, seed: args.corpusSeed, droppedAsDemo: corpus.droppedAsDemo, droppedAsDuplicate: corpus.droppedAsDuplicate }, seed: args.seed, steps: args.steps, batch: args.batch, learning_rate: args.lr, warmup_steps: warmup, weight_decay: args.weightDecay, max_length: args.maxLength, init: args.init, objective: args.masking === 'span' ? 'masked-lm, whole-word spans (SpanBERT: geometric p 0.2, ≤ 10 words, 15% of tokens; per span 80% [MASK], 10% random, 10% kept)' : 'masked-lm (15% of tokens: 80% [MASK], 10% random, 10% kept)', model: JSON.parse(demo.configJson) as unknown };
  process.stderr.write(`pretraining ${JSON.stringify({ ...settings, model: undefined })}\n`);
  const rng = createRng(deriveSeed(args.seed, 'pretrain'));
  const head = createMlmHead(demo.config, rng);
  const special = new Set([tok.clsId, tok.sepId, tok.padId]);
  const result = await pretrainMlm(demo.model, head, {
    sequences,
    steps: args.steps,
    batchSize: args.batch,
    learningRate: args.lr,
    warmupSteps: warmup,
    weightDecay: args.weightDecay,
    bucket: 16,
    rng,
    special,
    maskId: tok.maskId,
    padId: tok.padId,
    spanContinuation: args.masking === 'span' ? new Set(demo.vocabTxt.split('\n').flatMap((t, id) => (t.startsWith('##') ? [id] : []))) : undefined,
    onLog: (step, loss) => process.stderr.write(`step ${step}/${args.steps} mlm loss ${loss.toFixed(4)}\n`),
  });
  mkdirSync(args.out, { recursive: true });
  const configJson = JSON.stringify(toHfConfigJson(demo.model.config), null, 2) + '\n';
  // The encoder only, as ELECTRA-small's discriminator is shipped: fine-tuning initialises the QA
  // head from its own seed (Hugging Face reports qa_outputs as newly initialised).
  const weights = await demo.model.toHostTensors();
  for (const name of [...weights.keys()]) if (name.startsWith('qa_outputs.')) weights.delete(name);
  const safetensors = writeSafetensors(weights);
  const summary = { ...settings, ...result };
  writeFileSync(path.join(args.out, 'model.safetensors'), safetensors);
  writeFileSync(path.join(args.out, 'config.json'), configJson);
  writeFileSync(path.join(args.out, 'tokenizer.json'), demo.tokenizerJson);
  writeFileSync(path.join(args.out, 'tokenizer_config.json'), demo.tokenizerConfigJson);
  writeFileSync(path.join(args.out, 'vocab.txt'), demo.vocabTxt);
  writeFileSync(path.join(args.out, 'pretraining.json'), JSON.stringify(summary, null, 2) + '\n');
  for (const v of head.values()) v.dispose();
  demo.model.dispose();
  process.stdout.write(JSON.stringify({ ...summary, out: args.out, bytes: safetensors.length }, null, 2) + '\n');
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
