/**
 * The example embedding of `extract_embeddings.py` (origin-system.md §4.1):
 * [ h[CLS] ; mean of h[t] over the gold-answer tokens ] from the encoder's last hidden state,
 * 2 × hidden (512 for ELECTRA-small). The [CLS] vector is repeated when no token overlaps the
 * answer (e.g. the answer was truncated away).
 */

/**
 * Indices of the context tokens (token type 1, offsets not (0, 0)) whose character span
 * overlaps [answerStart, answerStart + answerLength). The Python code uses the first answer
 * and the length of its text, not answer_end. Offsets and the answer position must be in the
 * same character units.
 */
export function answerTokenIndices(
  offsets: ReadonlyArray<readonly [number, number]>,
  tokenTypeIds: ArrayLike<number>,
  answerStart: number,
  answerLength: number,
): number[] {
  if (offsets.length !== tokenTypeIds.length) throw new RangeError(`answerTokenIndices: ${offsets.length} offsets for ${tokenTypeIds.length} token types`);
  const answerEnd = answerStart + answerLength;
  const out: number[] = [];
  for (let t = 0; t < offsets.length; t++) {
    const [s, e] = offsets[t];
    if (tokenTypeIds[t] !== 1 || (s === 0 && e === 0)) continue;
    if (s < answerEnd && e > answerStart) out.push(t);
  }
  return out;
}

/**
 * One example's vector from its `last_hidden_state` (seqLen × hidden, row-major float32).
 * The mean is accumulated in float64 and stored as float32.
 */
export function composeEmbedding(lastHidden: Float32Array, seqLen: number, hidden: number, answerTokens: readonly number[]): Float32Array {
  if (lastHidden.length !== seqLen * hidden) throw new RangeError(`composeEmbedding: hidden state has ${lastHidden.length} values, expected ${seqLen}×${hidden}`);
  const out = new Float32Array(2 * hidden);
  out.set(lastHidden.subarray(0, hidden), 0);
  if (answerTokens.length === 0) {
    out.set(lastHidden.subarray(0, hidden), hidden);
    return out;
  }
  const acc = new Float64Array(hidden);
  for (const t of answerTokens) {
    if (!Number.isInteger(t) || t < 0 || t >= seqLen) throw new RangeError(`composeEmbedding: answer token index ${t} outside 0..${seqLen - 1}`);
    const o = t * hidden;
    for (let j = 0; j < hidden; j++) acc[j] += lastHidden[o + j];
  }
  for (let j = 0; j < hidden; j++) out[hidden + j] = acc[j] / answerTokens.length;
  return out;
}

/**
 * Batched form: `lastHidden` is batch × seqLen × hidden, `answerTokens[b]` the indices for
 * example b. Returns batch × 2·hidden, row-major.
 */
export function composeEmbeddings(lastHidden: Float32Array, batch: number, seqLen: number, hidden: number, answerTokens: readonly (readonly number[])[]): Float32Array {
  if (lastHidden.length !== batch * seqLen * hidden) throw new RangeError(`composeEmbeddings: hidden state has ${lastHidden.length} values, expected ${batch}×${seqLen}×${hidden}`);
  if (answerTokens.length !== batch) throw new RangeError(`composeEmbeddings: ${answerTokens.length} answer token lists for a batch of ${batch}`);
  const out = new Float32Array(batch * 2 * hidden);
  const per = seqLen * hidden;
  for (let b = 0; b < batch; b++) out.set(composeEmbedding(lastHidden.subarray(b * per, (b + 1) * per), seqLen, hidden, answerTokens[b]), b * 2 * hidden);
  return out;
}
