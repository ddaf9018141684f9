/**
 * Reading and writing the tokenizer files the Hugging Face Hub serves: `tokenizer.json` (the fast
 * tokenizer) or `vocab.txt` + `tokenizer_config.json` (the slow tokenizer the Python library converts).
 * Everything is validated; errors name the file and the field.
 */
import type { BertNormalizerOptions } from './normalizer';
import { WordPieceTokenizer, type AddedTokenSpec, type WordPieceTokenizerSpec } from './tokenizer';

/** Raw file contents as fetched or uploaded: text, or JSON already parsed. */
export interface TokenizerFiles {
  /** `tokenizer.json`; preferred when present, as the Python library does. */
  tokenizerJson?: string | unknown;
  /** `vocab.txt`, one token per line, the line number being the id. */
  vocabTxt?: string;
  /** `tokenizer_config.json`: casing, special tokens, model_max_length. */
  tokenizerConfig?: string | unknown;
}

/** Larger values of model_max_length are transformers' "no limit" sentinel (int(1e30)). */
const MAX_SANE_MODEL_LENGTH = 1_000_000;

type Json = Record<string, unknown>;

function parseJsonFile(content: string | unknown, file: string): Json {
  let value: unknown = content;
  if (typeof content === 'string') {
    try {
      value = JSON.parse(content);
    } catch (e) {
      throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file}: expected a JSON object at the top level`);
  return value as Json;
}

function fieldError(file: string, field: string, expected: string, got: unknown): Error {
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80);
  return new Error(`${file}: field "${field}" must be ${expected}, got ${shown}`);
}

function getObject(obj: Json, key: string, file: string, path: string): Json {
  const v = obj[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fieldError(file, path, 'an object', v);
  return v as Json;
}

function getString(obj: Json, key: string, file: string, path: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw fieldError(file, path, 'a string', v);
  return v;
}

function getBool(obj: Json, key: string, file: string, path: string): boolean {
  const v = obj[key];
  if (typeof v !== 'boolean') throw fieldError(file, path, 'true or false', v);
  return v;
}

function optBool(obj: Json, key: string, file: string, path: string, fallback: boolean): boolean {
  return obj[key] === undefined ? fallback : getBool(obj, key, file, path);
}

function getCount(obj: Json, key: string, file: string, path: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw fieldError(file, path, 'a non-negative integer', v);
  return v;
}

/** A special token in tokenizer_config.json: a string or `{"content": ..., "__type": "AddedToken"}`. */
function configToken(config: Json | null, key: string, file: string): string | undefined {
  if (config === null || config[key] === undefined || config[key] === null) return undefined;
  const v = config[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v) && typeof (v as Json).content === 'string') return (v as Json).content as string;
  throw fieldError(file, key, 'a token string or an object with "content"', v);
}

function configModelMaxLength(config: Json | null, file: string): number | null {
  if (config === null || config.model_max_length === undefined || config.model_max_length === null) return null;
  const v = config.model_max_length;
  if (typeof v !== 'number' || !(v > 0)) throw fieldError(file, 'model_max_length', 'a positive number', v);
  return v > MAX_SANE_MODEL_LENGTH ? null : Math.floor(v);
}

function parseNormalizer(value: unknown, file: string): BertNormalizerOptions | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw fieldError(file, 'normalizer', 'an object or null', value);
  const n = value as Json;
  if (n.type !== 'BertNormalizer') {
    throw new Error(`${file}: normalizer type ${JSON.stringify(n.type)} is not supported (only BertNormalizer, as BERT and ELECTRA use)`);
  }
  const strip = n.strip_accents;
  if (strip !== null && strip !== undefined && typeof strip !== 'boolean') throw fieldError(file, 'normalizer.strip_accents', 'true, false or null', strip);
  return {
    cleanText: optBool(n, 'clean_text', file, 'normalizer.clean_text', true),
    handleChineseChars: optBool(n, 'handle_chinese_chars', file, 'normalizer.handle_chinese_chars', true),
    stripAccents: strip ?? null,
    lowercase: optBool(n, 'lowercase', file, 'normalizer.lowercase', true),
  };
}

function parseAddedTokens(value: unknown, file: string): AddedTokenSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fieldError(file, 'added_tokens', 'an array', value);
  return value.map((raw, i) => {
    const path = `added_tokens[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fieldError(file, path, 'an object', raw);
    const t = raw as Json;
    return {
      id: getCount(t, 'id', file, `${path}.id`),
      content: getString(t, 'content', file, `${path}.content`),
      singleWord: optBool(t, 'single_word', file, `${path}.single_word`, false),
      lstrip: optBool(t, 'lstrip', file, `${path}.lstrip`, false),
      rstrip: optBool(t, 'rstrip', file, `${path}.rstrip`, false),
      normalized: optBool(t, 'normalized', file, `${path}.normalized`, true),
      special: optBool(t, 'special', file, `${path}.special`, false),
    };
  });
}

/** The [CLS] and [SEP] tokens of a BERT-shaped post-processor; anything else is rejected. */
function parsePostProcessor(value: unknown, file: string): { cls: string; sep: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${file}: "post_processor" is missing; question answering needs [CLS] A [SEP] B [SEP]`);
  }
  const p = value as Json;
  if (p.type === 'BertProcessing') {
    const cls = p.cls;
    const sep = p.sep;
    if (!Array.isArray(cls) || typeof cls[0] !== 'string') throw fieldError(file, 'post_processor.cls', '[token, id]', cls);
    if (!Array.isArray(sep) || typeof sep[0] !== 'string') throw fieldError(file, 'post_processor.sep', '[token, id]', sep);
    return { cls: cls[0], sep: sep[0] };
  }
  if (p.type === 'TemplateProcessing') {
    const pair = p.pair;
    const shape = (item: unknown): string => {
      if (typeof item !== 'object' || item === null) return '?';
      const o = item as Json;
      if (typeof o.SpecialToken === 'object' && o.SpecialToken !== null) {
        const s = o.SpecialToken as Json;
        return `S:${String(s.id)}:${String(s.type_id)}`;
      }
      if (typeof o.Sequence === 'object' && o.Sequence !== null) {
        const s = o.Sequence as Json;
        return `Q:${String(s.id)}:${String(s.type_id)}`;
      }
      return '?';
    };
    if (Array.isArray(pair) && pair.length === 5) {
      const parts = pair.map(shape);
      const cls = parts[0].startsWith('S:') && parts[0].endsWith(':0') ? parts[0].slice(2, -2) : null;
      const sep = parts[2].startsWith('S:') && parts[2].endsWith(':0') ? parts[2].slice(2, -2) : null;
      if (cls !== null && sep !== null && parts[1] === 'Q:A:0' && parts[3] === 'Q:B:1' && parts[4] === `S:${sep}:1`) return { cls, sep };
    }
    throw new Error(`${file}: post_processor.pair must be [CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1 (the BERT template); got ${JSON.stringify(pair)?.slice(0, 200)}`);
  }
  throw new Error(`${file}: post_processor type ${JSON.stringify(p.type)} is not supported (BertProcessing or TemplateProcessing)`);
}

/**
 * Python's BertTokenizerFast / ElectraTokenizerFast rebuild the normalizer when tokenizer_config.json
 * disagrees with tokenizer.json on casing; the same is done here for the keys the config sets.
 */
function applyConfigCasing(normalizer: BertNormalizerOptions | null, config: Json | null, file: string): BertNormalizerOptions | null {
  if (normalizer === null || config === null) return normalizer;
  const out = { ...normalizer };
  if (config.do_lower_case !== undefined) out.lowercase = getBool(config, 'do_lower_case', file, 'do_lower_case');
  if (config.strip_accents !== undefined) {
    const s = config.strip_accents;
    if (s !== null && typeof s !== 'boolean') throw fieldError(file, 'strip_accents', 'true, false or null', s);
    out.stripAccents = s;
  }
  if (config.tokenize_chinese_chars !== undefined) out.handleChineseChars = getBool(config, 'tokenize_chinese_chars', file, 'tokenize_chinese_chars');
  return out;
}

/** Validated spec from the contents of tokenizer.json (and optionally tokenizer_config.json). */
export function specFromTokenizerJson(tokenizerJson: string | unknown, tokenizerConfig?: string | unknown): WordPieceTokenizerSpec {
  const file = 'tokenizer.json';
  const cfgFile = 'tokenizer_config.json';
  const root = parseJsonFile(tokenizerJson, file);
  const config = tokenizerConfig === undefined ? null : parseJsonFile(tokenizerConfig, cfgFile);
  const model = getObject(root, 'model', file, 'model');
  if (model.type !== undefined && model.type !== 'WordPiece') {
    throw new Error(`${file}: model type ${JSON.stringify(model.type)} is not supported (only WordPiece, as BERT and ELECTRA use)`);
  }
  const vocabObj = getObject(model, 'vocab', file, 'model.vocab');
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(vocabObj)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw fieldError(file, `model.vocab[${JSON.stringify(token)}]`, 'a non-negative integer id', id);
    vocab.set(token, id);
  }
  if (vocab.size === 0) throw new Error(`${file}: model.vocab is empty`);
  const pre = root.pre_tokenizer as Json | null | undefined;
  if (typeof pre !== 'object' || pre === null || pre.type !== 'BertPreTokenizer') {
    throw new Error(`${file}: pre_tokenizer must be BertPreTokenizer, got ${JSON.stringify(pre?.type ?? pre)}`);
  }
  const post = parsePostProcessor(root.post_processor, file);
  const padding = root.padding as Json | null | undefined;
  const jsonPad = padding && typeof padding.pad_token === 'string' ? padding.pad_token : undefined;
  const unkToken = getString(model, 'unk_token', file, 'model.unk_token');
  const maxChars = model.max_input_chars_per_word === undefined ? 100 : getCount(model, 'max_input_chars_per_word', file, 'model.max_input_chars_per_word');
  const prefix = model.continuing_subword_prefix === undefined ? '##' : getString(model, 'continuing_subword_prefix', file, 'model.continuing_subword_prefix');
  return {
    vocab,
    unkToken,
    continuingSubwordPrefix: prefix,
    maxInputCharsPerWord: maxChars,
    normalizer: applyConfigCasing(parseNormalizer(root.normalizer, file), config, cfgFile),
    addedTokens: parseAddedTokens(root.added_tokens, file),
    clsToken: post.cls,
    sepToken: post.sep,
    padToken: configToken(config, 'pad_token', cfgFile) ?? jsonPad ?? '[PAD]',
    maskToken: configToken(config, 'mask_token', cfgFile) ?? (vocab.has('[MASK]') ? '[MASK]' : null),
    modelMaxLength: configModelMaxLength(config, cfgFile),
  };
}

/**
 * Validated spec from vocab.txt and tokenizer_config.json, built as transformers converts a slow
 * BertTokenizer/ElectraTokenizer: BertNormalizer(clean_text, tokenize_chinese_chars (default true),
 * strip_accents (default null), do_lower_case (default true)), special tokens as added tokens.
 */
export function specFromVocabTxt(vocabTxt: string, tokenizerConfig?: string | unknown): WordPieceTokenizerSpec {
  const file = 'vocab.txt';
  const cfgFile = 'tokenizer_config.json';
  const config = tokenizerConfig === undefined ? null : parseJsonFile(tokenizerConfig, cfgFile);
  const lines = vocabTxt.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((line, i) => vocab.set(line.endsWith('\r') ? line.slice(0, -1) : line, i));
  if (vocab.size === 0) throw new Error(`${file}: the vocabulary is empty`);
  const token = (key: string, fallback: string): string => configToken(config, key, cfgFile) ?? fallback;
  const unk = token('unk_token', '[UNK]');
  const cls = token('cls_token', '[CLS]');
  const sep = token('sep_token', '[SEP]');
  const pad = token('pad_token', '[PAD]');
  const mask = token('mask_token', '[MASK]');
  for (const [name, t] of [['unk_token', unk], ['cls_token', cls], ['sep_token', sep], ['pad_token', pad]] as const) {
    if (!vocab.has(t)) throw new Error(`${file}: the ${name} "${t}" is not in the vocabulary`);
  }
  const specials = [pad, unk, cls, sep, mask].filter((t, i, all) => vocab.has(t) && all.indexOf(t) === i);
  const bool = (key: string, fallback: boolean): boolean => (config === null || config[key] === undefined ? fallback : getBool(config, key, cfgFile, key));
  const strip = config?.strip_accents;
  if (strip !== undefined && strip !== null && typeof strip !== 'boolean') throw fieldError(cfgFile, 'strip_accents', 'true, false or null', strip);
  return {
    vocab,
    unkToken: unk,
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
    normalizer: {
      cleanText: true,
      handleChineseChars: bool('tokenize_chinese_chars', true),
      stripAccents: strip ?? null,
      lowercase: bool('do_lower_case', true),
    },
    addedTokens: specials
      .map((content) => ({ id: vocab.get(content)!, content, singleWord: false, lstrip: false, rstrip: false, normalized: false, special: true }))
      .sort((a, b) => a.id - b.id),
    clsToken: cls,
    sepToken: sep,
    padToken: pad,
    maskToken: vocab.has(mask) ? mask : null,
    modelMaxLength: configModelMaxLength(config, cfgFile),
  };
}

/** The tokenizer from the files a Hub repository (or an upload) provides. */
export function tokenizerFromFiles(files: TokenizerFiles): WordPieceTokenizer {
  if (files.tokenizerJson !== undefined) return new WordPieceTokenizer(specFromTokenizerJson(files.tokenizerJson, files.tokenizerConfig));
  if (files.vocabTxt !== undefined) return new WordPieceTokenizer(specFromVocabTxt(files.vocabTxt, files.tokenizerConfig));
  throw new Error('tokenizer: neither tokenizer.json nor vocab.txt was provided');
}

/**
 * A tokenizer.json object for `spec`, laid out as Hugging Face `tokenizers` writes one for BERT
 * (key order: version, truncation, padding, added_tokens, normalizer, pre_tokenizer,
 * post_processor, decoder, model). Both this module and @xenova/transformers load it.
 */
export function tokenizerJsonFromSpec(spec: WordPieceTokenizerSpec): Json {
  const idOf = (t: string): number => {
    const added = spec.addedTokens.find((a) => a.content === t);
    const id = added?.id ?? spec.vocab.get(t);
    if (id === undefined) throw new Error(`tokenizer.json writer: "${t}" has no id`);
    return id;
  };
  const vocab: Record<string, number> = {};
  for (const [t, id] of [...spec.vocab].sort((a, b) => a[1] - b[1])) vocab[t] = id;
  const n = spec.normalizer;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: spec.addedTokens.map((t) => ({
      id: t.id,
      content: t.content,
      single_word: t.singleWord,
      lstrip: t.lstrip,
      rstrip: t.rstrip,
      normalized: t.normalized,
      special: t.special,
    })),
    normalizer:
      n === null
        ? null
        : { type: 'BertNormalizer', clean_text: n.cleanText, handle_chinese_chars: n.handleChineseChars, strip_accents: n.stripAccents, lowercase: n.lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: spec.clsToken, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: spec.sepToken, type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: spec.clsToken, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: spec.sepToken, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: spec.sepToken, type_id: 1 } },
      ],
      special_tokens: {
        [spec.clsToken]: { id: spec.clsToken, ids: [idOf(spec.clsToken)], tokens: [spec.clsToken] },
        [spec.sepToken]: { id: spec.sepToken, ids: [idOf(spec.sepToken)], tokens: [spec.sepToken] },
      },
    },
    decoder: { type: 'WordPiece', prefix: spec.continuingSubwordPrefix, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: spec.unkToken,
      continuing_subword_prefix: spec.continuingSubwordPrefix,
      max_input_chars_per_word: spec.maxInputCharsPerWord,
      vocab,
    },
  };
}

/**
 * tokenizer.json text (2-space indent, as `tokenizers` saves pretty) with the vocabulary in id order.
 * JSON.stringify alone would move integer-like tokens ("0", "15") to the front of the object.
 */
export function tokenizerJsonText(spec: WordPieceTokenizerSpec): string {
  const json = tokenizerJsonFromSpec(spec);
  const model = json.model as Json;
  const marker = '__VOCAB_IN_ID_ORDER__';
  const text = JSON.stringify({ ...json, model: { ...model, vocab: marker } }, null, 2);
  const entries = [...spec.vocab].sort((a, b) => a[1] - b[1]).map(([t, id]) => `      ${JSON.stringify(t)}: ${id}`);
  const vocabText = entries.length === 0 ? '{}' : `{\n${entries.join(',\n')}\n    }`;
  return text.replace(JSON.stringify(marker), () => vocabText);
}

/** A tokenizer_config.json for an uncased ELECTRA tokenizer with these special tokens. */
export function tokenizerConfigFromSpec(spec: WordPieceTokenizerSpec): Json {
  const n = spec.normalizer;
  return {
    do_lower_case: n?.lowercase ?? false,
    strip_accents: n?.stripAccents ?? null,
    tokenize_chinese_chars: n?.handleChineseChars ?? false,
    unk_token: spec.unkToken,
    sep_token: spec.sepToken,
    pad_token: spec.padToken,
    cls_token: spec.clsToken,
    mask_token: spec.maskToken,
    model_max_length: spec.modelMaxLength ?? 512,
    clean_up_tokenization_spaces: true,
    tokenizer_class: 'ElectraTokenizer',
  };
}

/** vocab.txt text: tokens by id, one per line. */
export function vocabTxtFromSpec(spec: WordPieceTokenizerSpec): string {
  const byId: string[] = [];
  for (const [t, id] of spec.vocab) byId[id] = t;
  for (let i = 0; i < byId.length; i++) if (byId[i] === undefined) throw new Error(`vocab.txt writer: id ${i} has no token (ids must be contiguous)`);
  return byId.join('\n') + '\n';
}
