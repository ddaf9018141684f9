/**
 * Command-line flags of `run_experiments.py` (origin-system.md §10.1), plus the app's own:
 * `--data` (a dataset file or "demo"), `--model` (a Hub id, a model folder, "demo" or "demo-scratch"),
 * `--backend`, `--epochs`, `--gradient-accumulation-steps`, `--no-auto-prerequisites`.
 */
import { SUITE_NAMES, type SuiteName } from '../domain/config/suites';
import { NODE_BACKEND_CHOICES, type NodeBackendChoice } from './node-backends';

export interface CliArgs {
  mode: 'run' | 'analyze';
  suite: SuiteName | null;
  configs: string[];
  maxTrainSamples: number | null;
  maxEvalSamples: number | null;
  cartographyDir: string;
  validationCartographyDir: string;
  clusterDir: string;
  seeds: number[];
  batchSize: number;
  dryRun: boolean;
  stopOnError: boolean;
  experimentsDir: string;
  showPlots: boolean;
  data: string;
  evalData: string | null;
  model: string;
  backend: NodeBackendChoice;
  /** Time the backends again even when step times for this model shape are cached. */
  remeasure: boolean;
  epochs: number | null;
  /** gradient_accumulation_steps for every experiment; null: none. */
  gradientAccumulationSteps: number | null;
  autoPrerequisites: boolean;
  /** Epochs of an automatic cartography run (the guide recommends 5). */
  cartographyEpochs: number;
  hubEndpoint: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: npm run experiments -- --mode {run,analyze} [options]

  --mode {run,analyze}          run experiments or analyze results (required)
  --suite {${SUITE_NAMES.join(',')}}
                                predefined suite to run
  --configs FILE [FILE ...]     experiment config.json files (used when no --suite is given)
  --max-train-samples N         rows of the train split (default 10000; "all" for every row)
  --max-eval-samples N          rows of the eval split (default 2000; "all" for every row)
  --cartography-dir DIR         train cartography (default ./cartography_output)
  --validation-cartography-dir DIR
                                validation cartography (default ./cartography_output_validation)
  --cluster-dir DIR             cluster assignments (default ./cluster_output)
  --seeds N [N ...]             seeds (default 42)
  --batch-size N                batch size of the overnight suite (default 8)
  --dry-run                     print the plan and write config.json files; train nothing
  --stop-on-error               stop at the first failed experiment
  --experiments-dir DIR         where experiment folders go (default ./experiments)
  --show-plots                  (analyze) also print where the plots were written

App options:
  --data demo|FILE              dataset: the built-in demo, or a SQuAD JSON / JSON Lines / Parquet file
                                (default demo). A single file is both train and eval split, as
                                run.py does for json files; use --eval-data for a separate eval file.
  --eval-data FILE              evaluation rows from another file
  --model demo|demo-scratch|DIR|HUB_ID
                                model: the shipped demo base, pretrained on clinical notes (default),
                                the same tiny model from scratch, a folder with config.json +
                                tokenizer + weights, or a Hugging Face Hub id
  --epochs X                    num_train_epochs for every experiment (changes config hashes)
  --gradient-accumulation-steps N
                                micro-batches summed into one optimizer step, every experiment
                                (effective batch = batch × N; N > 1 changes config hashes)
  --backend auto|wasm|cpu|webgpu
                                TensorFlow.js backend (default auto: times a training step of the
                                model on wasm, webgpu (Dawn for Node) and cpu, trains on the fastest;
                                the times are cached per machine and model shape)
  --remeasure                   with --backend auto, time the backends again
  --no-auto-prerequisites       do not run missing cartography trainings automatically
  --cartography-epochs N        epochs of an automatic cartography run (default 5)
  --hub-endpoint URL            Hugging Face endpoint (default https://huggingface.co)
`;

function parseCount(flag: string, v: string): number | null {
  if (v === 'all' || v === 'None') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag}: expected a positive integer or "all", got "${v}"`);
  return n;
}

function parseIntStrict(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`${flag}: expected an integer, got "${v}"`);
  return n;
}

export function parseArgs(argv: string[]): CliArgs {
  const a: CliArgs = {
    mode: 'run',
    suite: null,
    configs: [],
    maxTrainSamples: 10000,
    maxEvalSamples: 2000,
    cartographyDir: './cartography_output',
    validationCartographyDir: './cartography_output_validation',
    clusterDir: './cluster_output',
    seeds: [42],
    batchSize: 8,
    dryRun: false,
    stopOnError: false,
    experimentsDir: './experiments',
    showPlots: false,
    data: 'demo',
    evalData: null,
    model: 'demo',
    backend: 'auto',
    remeasure: false,
    epochs: null,
    gradientAccumulationSteps: null,
    autoPrerequisites: true,
    cartographyEpochs: 5,
    hubEndpoint: 'https://huggingface.co',
  };
  let modeGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const values = (): string[] => {
      const out: string[] = [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.push(argv[++i]);
      if (!out.length) throw new UsageError(`${flag} needs at least one value`);
      return out;
    };
    switch (flag) {
      case '--mode': {
        const m = value();
        if (m !== 'run' && m !== 'analyze') throw new UsageError(`--mode: invalid choice "${m}" (choose from run, analyze)`);
        a.mode = m;
        modeGiven = true;
        break;
      }
      case '--suite': {
        const s = value();
        if (!(SUITE_NAMES as readonly string[]).includes(s)) throw new UsageError(`--suite: invalid choice "${s}" (choose from ${SUITE_NAMES.join(', ')})`);
        a.suite = s as SuiteName;
        break;
      }
      case '--configs':
        a.configs = values();
        break;
      case '--max-train-samples':
        a.maxTrainSamples = parseCount(flag, value());
        break;
      case '--max-eval-samples':
        a.maxEvalSamples = parseCount(flag, value());
        break;
      case '--cartography-dir':
        a.cartographyDir = value();
        break;
      case '--validation-cartography-dir':
        a.validationCartographyDir = value();
        break;
      case '--cluster-dir':
        a.clusterDir = value();
        break;
      case '--seeds':
        a.seeds = values().map((v) => parseIntStrict(flag, v));
        break;
      case '--batch-size': {
        const n = parseIntStrict(flag, value());
        if (n <= 0) throw new UsageError('--batch-size must be positive');
        a.batchSize = n;
        break;
      }
      case '--dry-run':
        a.dryRun = true;
        break;
      case '--stop-on-error':
        a.stopOnError = true;
        break;
      case '--experiments-dir':
        a.experimentsDir = value();
        break;
      case '--show-plots':
        a.showPlots = true;
        break;
      case '--data':
        a.data = value();
        break;
      case '--eval-data':
        a.evalData = value();
        break;
      case '--model':
        a.model = value();
        break;
      case '--epochs': {
        const x = Number(value());
        if (!(x > 0)) throw new UsageError('--epochs must be a positive number');
        a.epochs = x;
        break;
      }
      case '--gradient-accumulation-steps': {
        const x = Number(value());
        if (!Number.isInteger(x) || x < 1) throw new UsageError('--gradient-accumulation-steps must be a positive integer');
        a.gradientAccumulationSteps = x;
        break;
      }
      case '--remeasure':
        a.remeasure = true;
        break;
      case '--backend': {
        const b = value();
        if (!(NODE_BACKEND_CHOICES as readonly string[]).includes(b)) throw new UsageError(`--backend: invalid choice "${b}" (choose from ${NODE_BACKEND_CHOICES.join(', ')})`);
        a.backend = b as NodeBackendChoice;
        break;
      }
      case '--cartography-epochs': {
        const x = Number(value());
        if (!(x >= 2)) throw new UsageError('--cartography-epochs must be at least 2 (variability needs several epochs)');
        a.cartographyEpochs = x;
        break;
      }
      case '--no-auto-prerequisites':
        a.autoPrerequisites = false;
        break;
      case '--hub-endpoint':
        a.hubEndpoint = value();
        break;
      case '-h':
      case '--help':
        throw new UsageError('');
      default:
        throw new UsageError(`unrecognized argument: ${flag}`);
    }
  }
  if (!modeGiven) throw new UsageError('the following arguments are required: --mode');
  return a;
}
