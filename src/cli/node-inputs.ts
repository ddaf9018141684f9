/**
 * Node adapters for the CLI: datasets and models from disk, the demo or the Hub, and the
 * artifacts (cartography metrics, cluster assignments) read from the directories the Python
 * system uses.
 */
import { demoProbeConfig } from '../domain/train/demo-settings';
import { existsSync, readFileSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type { QARecord } from '../domain/data/types';
import { generateDemoDataset } from '../domain/data/demo/generator';
import { bufferSource } from '../domain/data/byte-source';
import { sourceRows } from '../domain/data/read-source';
import { RowCleaner, cleanRows } from '../domain/data/clean-rows';
import { ReportBuilder, reportNotes } from '../domain/data/problems';
import { createDemoModel } from '../domain/train/demo-model';
import { DEMO_BASE_DIR, DEMO_BASE_FILES, loadDemoBase, type DemoBaseFiles } from '../domain/train/demo-base';
import { fileURLToPath } from 'node:url';
import { loadQAModel, type QAModel } from '../domain/model/model';
import { tokenizerFromFiles } from '../domain/qa/tokenizer-files';
import type { WordPieceTokenizer } from '../domain/qa/index';
import { downloadModelRepo } from '../domain/hub/model-repo';
import { parseMetricsCsv, METRICS_CSV_FILE } from '../domain/cartography/metrics-files';
import { parseAssignmentsCsv, ASSIGNMENTS_FILE } from '../domain/clustering/cluster-files';
import type { ArtifactRequirement } from '../domain/config/prerequisites';
import type { LoadedArtifact } from '../domain/experiments/execute';

export interface NodeDataset {
  label: string;
  train: QARecord[];
  /** Eval rows; for a single file, the same rows (run.py evaluates json files on "train"). */
  eval: QARecord[];
  notes: string[];
}

async function readRowsFile(file: string, split: string): Promise<{ rows: QARecord[]; notes: string[] }> {
  if (!existsSync(file)) throw new Error(`Dataset file not found: ${file}`);
  const bytes = new Uint8Array(readFileSync(file));
  const report = new ReportBuilder('repair');
  const cleaner = new RowCleaner(report, 'repair');
  const rows: QARecord[] = [];
  for await (const r of cleanRows(sourceRows(bufferSource(path.basename(file), bytes), split), cleaner)) rows.push(r);
  if (rows.length === 0) throw new Error(`${file}: no usable rows (${reportNotes(report.report).join('; ') || 'the file is empty'})`);
  return { rows, notes: reportNotes(report.report) };
}

export async function loadNodeDataset(data: string, evalData: string | null): Promise<NodeDataset> {
  if (data === 'demo') {
    const demo = generateDemoDataset();
    return { label: 'demo (generated clinical notes)', train: demo.train, eval: demo.validation, notes: [] };
  }
  const train = await readRowsFile(data, 'train');
  if (evalData) {
    const ev = await readRowsFile(evalData, 'validation');
    return { label: `${data} + ${evalData}`, train: train.rows, eval: ev.rows, notes: [...train.notes, ...ev.notes] };
  }
  return { label: data, train: train.rows, eval: train.rows, notes: train.notes };
}

export interface NodeModel {
  label: string;
  model: QAModel;
  tokenizer: WordPieceTokenizer;
  configJson: Record<string, unknown>;
  /** The tokenizer's files as read, saved beside a trained model (as the Trainer saves them) so the folder loads on its own. */
  tokenizerFiles: Array<{ path: string; bytes: Uint8Array }>;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function modelFromFolder(dir: string, seed: number, label: string): NodeModel {
  const file = (name: string) => path.join(dir, name);
  if (!existsSync(file('config.json'))) throw new Error(`${dir}: no config.json (expected a Hugging Face model folder)`);
  const configJson = JSON.parse(readFileSync(file('config.json'), 'utf8')) as Record<string, unknown>;
  const tokenizerConfig = existsSync(file('tokenizer_config.json')) ? readFileSync(file('tokenizer_config.json'), 'utf8') : undefined;
  const tokenizer = existsSync(file('tokenizer.json'))
    ? tokenizerFromFiles({ tokenizerJson: readFileSync(file('tokenizer.json'), 'utf8'), tokenizerConfig })
    : existsSync(file('vocab.txt'))
      ? tokenizerFromFiles({ vocabTxt: readFileSync(file('vocab.txt'), 'utf8'), tokenizerConfig })
      : (() => {
          throw new Error(`${dir}: neither tokenizer.json nor vocab.txt`);
        })();
  const weightsName = ['model.safetensors', 'pytorch_model.bin'].find((n) => existsSync(file(n)));
  if (!weightsName) throw new Error(`${dir}: neither model.safetensors nor pytorch_model.bin`);
  const { model, report } = loadQAModel(
    configJson,
    { bytes: new Uint8Array(readFileSync(file(weightsName))), format: weightsName.endsWith('.bin') ? 'pytorch' : 'safetensors', name: weightsName },
    { seed },
  );
  if (report.missing.length) console.log(`[model] initialised (not in the checkpoint): ${report.missing.join(', ')}`);
  if (report.unexpected.length) console.log(`[model] unused checkpoint tensors: ${report.unexpected.length}`);
  const tokenizerFiles = ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json'].filter((n) => existsSync(file(n))).map((n) => ({ path: n, bytes: new Uint8Array(readFileSync(file(n))) }));
  return { label, model, tokenizer, configJson, tokenizerFiles };
}

/** Hub downloads are cached under ~/.cache/qa-lab/models so a second run is offline. */
async function hubFolder(repo: string, endpoint: string): Promise<string> {
  const dir = path.join(os.homedir(), '.cache', 'qa-lab', 'models', repo.replace('/', '--'));
  if (existsSync(path.join(dir, 'config.json'))) return dir;
  console.log(`Downloading ${repo} from ${endpoint} ...`);
  const files = await downloadModelRepo(repo, { endpoint });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, files.weights.name), files.weights.bytes);
  if (files.tokenizer.kind === 'tokenizer.json') writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(files.tokenizer.json));
  else writeFileSync(path.join(dir, 'vocab.txt'), files.tokenizer.vocab);
  if (files.tokenizer.tokenizerConfig) writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(files.tokenizer.tokenizerConfig));
  // config.json last: its presence marks a complete download.
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(files.config, null, 2));
  return dir;
}

/** The shipped demo base in this checkout (public/models/demo-base). */
export const DEMO_BASE_FOLDER = fileURLToPath(new URL(`../../public/${DEMO_BASE_DIR}/`, import.meta.url));

/** A demo base folder's files (the shipped one by default), each checked to exist. */
export function readDemoBaseFolder(dir: string = DEMO_BASE_FOLDER): DemoBaseFiles {
  const file = (name: string) => {
    const f = path.join(dir, name);
    if (!existsSync(f)) throw new Error(`${f}: not found (the demo base is written by npm run pretrain-demo)`);
    return f;
  };
  const [config, weights, tokenizer, tokenizerConfig] = DEMO_BASE_FILES.map(file);
  return {
    'config.json': readFileSync(config, 'utf8'),
    'model.safetensors': new Uint8Array(readFileSync(weights)),
    'tokenizer.json': readFileSync(tokenizer, 'utf8'),
    'tokenizer_config.json': readFileSync(tokenizerConfig, 'utf8'),
  };
}

/** `--model`: "demo" (the shipped pretrained base), "demo-scratch", a folder, or a Hub id. */
export async function loadNodeModel(spec: string, seed: number, hubEndpoint: string): Promise<NodeModel> {
  if (spec === 'demo') {
    const files = readDemoBaseFolder();
    const base = loadDemoBase(files, seed, DEMO_BASE_FOLDER);
    const tokenizerFiles = (['tokenizer.json', 'tokenizer_config.json'] as const).map((n) => ({ path: n, bytes: utf8(files[n]) }));
    return { label: 'demo base (pretrained)', model: base.model, tokenizer: base.tokenizer, configJson: base.configJson, tokenizerFiles };
  }
  if (spec === 'demo-scratch') {
    const demo = createDemoModel({ seed });
    const tokenizerFiles = [
      { path: 'tokenizer.json', bytes: utf8(demo.tokenizerJson) },
      { path: 'tokenizer_config.json', bytes: utf8(demo.tokenizerConfigJson) },
    ];
    return { label: 'demo model (from scratch)', model: demo.model, tokenizer: demo.tokenizer, configJson: JSON.parse(demo.configJson) as Record<string, unknown>, tokenizerFiles };
  }
  if (existsSync(spec) && statSync(spec).isDirectory()) return modelFromFolder(spec, seed, spec);
  return modelFromFolder(await hubFolder(spec, hubEndpoint), seed, `${spec} (Hub)`);
}

/** The file a requirement points at: the CSV inside the directory, or the CSV itself. */
export function artifactFile(req: Pick<ArtifactRequirement, 'kind' | 'path'>): string {
  const name = req.kind === 'cartography' ? METRICS_CSV_FILE : ASSIGNMENTS_FILE;
  return req.path.endsWith('.csv') ? req.path : path.join(req.path, name);
}

export async function readArtifactFromDisk(req: ArtifactRequirement): Promise<LoadedArtifact | null> {
  const file = artifactFile(req);
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  if (req.kind === 'cartography') return { kind: 'cartography', label: file, rows: parseMetricsCsv(text, file) };
  return { kind: 'clusters', label: file, rows: parseAssignmentsCsv(text, file) };
}

/** The config.json of `--model` (the demo's, a folder's, or a Hub model's after its download), to time its step. */
export async function nodeModelConfig(spec: string, hubEndpoint: string): Promise<Record<string, unknown>> {
  if (spec === 'demo') return JSON.parse(readDemoBaseFolder()['config.json']) as Record<string, unknown>;
  if (spec === 'demo-scratch') return demoProbeConfig();
  const dir = existsSync(spec) && statSync(spec).isDirectory() ? spec : await hubFolder(spec, hubEndpoint);
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) throw new Error(`${dir}: no config.json (expected a Hugging Face model folder)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}
