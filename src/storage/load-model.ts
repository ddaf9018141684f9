import type { LabDatabase } from './db';
import { loadModel } from './models';
import type { ModelRecord } from './schema';
import { loadQAModel, type QAModel } from '../domain/model/model';
import type { LoadReport } from '../domain/model/checkpoint';
import { tokenizerFromFiles, type TokenizerFiles } from '../domain/qa/tokenizer-files';
import type { WordPieceTokenizer } from '../domain/qa/index';

/** The tokenizer files as stored on a ModelRecord (see ModelsState / model-cache). */
export function tokenizerFilesOf(meta: ModelRecord): TokenizerFiles {
  const t = meta.tokenizer as
    | { kind: 'tokenizer.json'; json: unknown; tokenizerConfig?: unknown }
    | { kind: 'vocab.txt'; vocab: string; tokenizerConfig?: unknown }
    | undefined;
  if (!t) throw new Error(`Model "${meta.name}" has no tokenizer stored`);
  if (t.kind === 'tokenizer.json') return { tokenizerJson: t.json, tokenizerConfig: t.tokenizerConfig ?? undefined };
  if (t.kind === 'vocab.txt') return { vocabTxt: t.vocab, tokenizerConfig: t.tokenizerConfig ?? undefined };
  throw new Error(`Model "${meta.name}" has a tokenizer of unknown kind`);
}

/** A stored model ready to train: tfjs variables (seeded init for missing heads) and its tokenizer. */
export async function loadStoredQAModel(
  db: LabDatabase,
  id: string,
  seed: number,
): Promise<{ model: QAModel; tokenizer: WordPieceTokenizer; report: LoadReport; meta: ModelRecord }> {
  const stored = await loadModel(db, id);
  if (!stored) throw new Error(`No stored model "${id}" (it may have been deleted)`);
  if (!stored.weights) throw new Error(`Model "${stored.meta.name}" has no weights stored`);
  const tokenizer = tokenizerFromFiles(tokenizerFilesOf(stored.meta));
  const format = stored.weights.name.endsWith('.bin') ? 'pytorch' : 'safetensors';
  const { model, report } = loadQAModel(stored.meta.config, { bytes: new Uint8Array(stored.weights.bytes), format, name: stored.weights.name }, { seed });
  return { model, tokenizer, report, meta: stored.meta };
}
