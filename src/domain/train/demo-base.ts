/**
 * The demo base: the demo model's encoder pretrained once by `npm run pretrain-demo` (masked-LM on
 * demo-generator notes from seeds disjoint from the demo dataset's, no questions or answers) and
 * shipped with the app under public/models/demo-base in Hugging Face layout. Fine-tuning starts
 * from it as the study starts from ELECTRA-small: the encoder is loaded, the QA head is not in
 * the file and is initialised from the run's seed.
 *
 * Pure: the browser fetches the files, the CLI reads them from disk; both hand the bytes here.
 */
import { parseHfConfig, type EncoderConfig } from '../model/config';
import { QAModel, readWeightsFile } from '../model/model';
import { tokenizerFromFiles } from '../qa/tokenizer-files';
import type { WordPieceTokenizer } from '../qa/tokenizer';

/** The folder under the app's base URL (and under public/ in the repository). */
export const DEMO_BASE_DIR = 'models/demo-base';

/** The files a run reads; the folder also holds vocab.txt and pretraining.json (the recipe). */
export const DEMO_BASE_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'] as const;
export type DemoBaseFileName = (typeof DEMO_BASE_FILES)[number];

/** The shipped files' contents, as fetched or read. */
export interface DemoBaseFiles {
  'config.json': string;
  'model.safetensors': Uint8Array;
  'tokenizer.json': string;
  'tokenizer_config.json': string;
}

export interface LoadedDemoBase {
  model: QAModel;
  tokenizer: WordPieceTokenizer;
  config: EncoderConfig;
  /** config.json as parsed JSON (what a stored model record keeps). */
  configJson: Record<string, unknown>;
  tokenizerJson: unknown;
  tokenizerConfig: Record<string, unknown>;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function jsonObject(text: string, file: string): Record<string, unknown> {
  const v = parseJson(text, file);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: expected a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * The base's encoder with a QA head initialised from `seed` (as Hugging Face's
 * ElectraForQuestionAnswering.from_pretrained does for a checkpoint without one). `where` names
 * the folder in messages. A checkpoint that does carry qa_outputs has them ignored, so that every
 * seed starts its own head.
 */
export function loadDemoBase(files: DemoBaseFiles, seed: number, where: string = DEMO_BASE_DIR): LoadedDemoBase {
  const configJson = jsonObject(files['config.json'], `${where}/config.json`);
  const config = parseHfConfig(configJson, `${where}/config.json`);
  const tokenizerJson = parseJson(files['tokenizer.json'], `${where}/tokenizer.json`);
  const tokenizerConfig = jsonObject(files['tokenizer_config.json'], `${where}/tokenizer_config.json`);
  const tokenizer = tokenizerFromFiles({ tokenizerJson, tokenizerConfig });
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new Error(`${where}: tokenizer.json has ${tokenizer.vocabSize} tokens but config.json says vocab_size ${config.vocabSize}`);
  }
  const source = `${where}/model.safetensors`;
  const { tensors } = readWeightsFile(files['model.safetensors'], 'safetensors', source);
  for (const name of [...tensors.keys()]) if (name.startsWith('qa_outputs.')) tensors.delete(name);
  const { model, report } = QAModel.fromCheckpoint(config, tensors, { seed, source });
  const missingEncoder = report.missing.filter((n) => !n.startsWith('qa_outputs.'));
  if (missingEncoder.length) {
    model.dispose();
    throw new Error(`${source}: the encoder is incomplete (missing ${missingEncoder.slice(0, 3).join(', ')}${missingEncoder.length > 3 ? ', …' : ''})`);
  }
  return { model, tokenizer, config, configJson, tokenizerJson, tokenizerConfig };
}
