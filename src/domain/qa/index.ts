/** Public surface of the QA text pipeline: tokenizer, features, postprocessing, metrics. */
export { WordPieceTokenizer, type AddedTokenSpec, type PairEncoding, type TextEncoding, type WordPieceTokenizerSpec } from './tokenizer';
export {
  specFromTokenizerJson,
  specFromVocabTxt,
  tokenizerConfigFromSpec,
  tokenizerFromFiles,
  tokenizerJsonFromSpec,
  tokenizerJsonText,
  vocabTxtFromSpec,
  type TokenizerFiles,
} from './tokenizer-files';
export { buildWordPieceVocabulary, type BuiltVocabulary, type VocabBuilderOptions } from './vocab-builder';
export {
  P_ONLY_QUESTION,
  cartographyWindows,
  contextWindows,
  defaultStride,
  goldCharSpan,
  labelWindow,
  makeBatch,
  prepareEvalFeatures,
  prepareTrainFeatures,
  requiredLength,
  windowLength,
  windowOffsets,
  type Ablation,
  type EvalFeatureOptions,
  type EvalFeatures,
  type FeatureBatch,
  type FeatureWindows,
  type TokenIds,
  type TrainFeatureOptions,
  type TrainFeatures,
} from './features';
export { EMPTY_PREDICTION, postprocessQAPredictions, topKIndices, type AnswerCandidate, type PostprocessOptions, type PostprocessResult } from './postprocess';
export {
  computeSquadMetrics,
  exactMatchScore,
  f1Score,
  normalizeAnswer,
  squadMetricsAligned,
  type SquadMetrics,
  type SquadReference,
} from './squad-metrics';
export { answerTokenIndices, embeddingInput, type EmbeddingInput } from './answer-span';
