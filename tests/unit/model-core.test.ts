import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node';
import { ConfigError, parseHfConfig, parseHfConfigText, tinyElectraConfig, toHfConfigJson, type EncoderConfig } from '../../src/domain/model/config';
import { paramSpecs, isNoDecayParam } from '../../src/domain/model/params';
import { initParam, initParams } from '../../src/domain/model/init';
import { matchCheckpoint } from '../../src/domain/model/checkpoint';
import { addLayerNorm, attention, gelu, linear } from '../../src/domain/model/ops';
import { createEmbeddingGradPlan, disposePlan, embeddingLookup, planArrays } from '../../src/domain/model/embedding';
import { DropoutMasker } from '../../src/domain/model/dropout';
import { QAModel, createModelInputs, disposeModelInputs } from '../../src/domain/model/model';
import { FLOAT32_MIN } from '../../src/domain/model/encoder';
import { createRng, deriveSeed, rngFromState } from '../../src/domain/train/rng';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const tinyElectra = {
  model_type: 'electra',
  vocab_size: 300,
  embedding_size: 8,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 32,
};

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.nextNormal() * scale);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('seeded rng', () => {
  it('is deterministic per seed, restorable from its state, and roughly normal', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(createRng(43).nextUint32()).not.toBe(xs[0]);
    const state = a.getState();
    const c = rngFromState(state);
    expect(c.nextFloat()).toBe(a.nextFloat());
    const r = createRng(7);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = r.nextNormal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
    const perm = Array.from(createRng(1).permutation(10)).sort((x, y) => x - y);
    expect(perm).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(createRng(1).shuffleInPlace([1, 2, 3, 4, 5, 6])).toEqual(createRng(1).shuffleInPlace([1, 2, 3, 4, 5, 6]));
    expect(deriveSeed(5, 'x')).not.toBe(deriveSeed(5, 'y'));
    expect(() => createRng(1).nextInt(0)).toThrow(/nextInt/);
  });
});

describe('Hugging Face config parsing', () => {
  it('reads ELECTRA and BERT configs, with the config classes\' defaults for missing fields', () => {
    const e = parseHfConfig(tinyElectra);
    expect(e).toMatchObject({ modelType: 'electra', embeddingSize: 8, hiddenSize: 16, layerNormEps: 1e-12, hiddenDropoutProb: 0.1, padTokenId: 0 });
    // ElectraConfig's own default embedding_size is 128, whatever hidden_size is.
    expect(parseHfConfig({ model_type: 'electra', hidden_size: 64, num_attention_heads: 2 }).embeddingSize).toBe(128);
    const b = parseHfConfig({ model_type: 'bert', hidden_size: 32, num_attention_heads: 4 });
    expect(b).toMatchObject({ modelType: 'bert', embeddingSize: 32, numHiddenLayers: 12, intermediateSize: 3072 });
  });

  it('round-trips through the config.json we write', () => {
    const e = parseHfConfig(tinyElectra);
    const json = toHfConfigJson(e);
    expect(json.architectures).toEqual(['ElectraForQuestionAnswering']);
    expect(parseHfConfig(json)).toEqual(e);
    const b = parseHfConfig({ model_type: 'bert', hidden_size: 32, num_attention_heads: 4 });
    expect(parseHfConfig(toHfConfigJson(b))).toEqual(b);
  });

  const bad: [unknown, RegExp][] = [
    [{ ...tinyElectra, model_type: 'roberta' }, /field "model_type" must be "electra" or "bert", got "roberta"/],
    [{ ...tinyElectra, hidden_act: 'gelu_new' }, /field "hidden_act" must be "gelu"/],
    [{ ...tinyElectra, hidden_size: '16' }, /field "hidden_size" must be an integer, got "16"/],
    [{ ...tinyElectra, num_attention_heads: 3 }, /field "num_attention_heads" \(3\) must divide hidden_size \(16\)/],
    [{ ...tinyElectra, pad_token_id: 300 }, /field "pad_token_id" \(300\) must be < vocab_size \(300\)/],
    [{ ...tinyElectra, hidden_dropout_prob: 1 }, /field "hidden_dropout_prob" must be in \[0, 1\)/],
    [{ ...tinyElectra, layer_norm_eps: -1 }, /field "layer_norm_eps" must be in \(0, 1\)/],
    [{ ...tinyElectra, num_hidden_layers: 0 }, /field "num_hidden_layers" must be ≥ 1/],
    [{ ...tinyElectra, position_embedding_type: 'relative_key' }, /field "position_embedding_type" must be "absolute"/],
    [{ model_type: 'bert', hidden_size: 32, num_attention_heads: 4, embedding_size: 16 }, /field "embedding_size" must equal hidden_size/],
    [[1], /field "\(root\)" must be a JSON object/],
  ];
  for (const [json, message] of bad) {
    it(`rejects ${JSON.stringify(json).slice(0, 60)} naming the field`, () => {
      expect(() => parseHfConfig(json, 'my/config.json')).toThrow(ConfigError);
      expect(() => parseHfConfig(json, 'my/config.json')).toThrow(message);
      expect(() => parseHfConfig(json, 'my/config.json')).toThrow(/^my\/config\.json: /);
    });
  }
  it('names the file on a JSON syntax error', () => {
    expect(() => parseHfConfigText('{"model_type": ', 'x/config.json')).toThrow(/^x\/config\.json: field "\(root\)" is not valid JSON/);
  });
});

describe('parameters and init', () => {
  const config = parseHfConfig(tinyElectra);

  it('names parameters as Hugging Face does, [out, in] for linears, no projection without need', () => {
    const names = paramSpecs(config).map((s) => s.name);
    expect(names.slice(0, 7)).toEqual([
      'electra.embeddings.word_embeddings.weight',
      'electra.embeddings.position_embeddings.weight',
      'electra.embeddings.token_type_embeddings.weight',
      'electra.embeddings.LayerNorm.weight',
      'electra.embeddings.LayerNorm.bias',
      'electra.embeddings_project.weight',
      'electra.embeddings_project.bias',
    ]);
    expect(paramSpecs(config).find((s) => s.name === 'electra.encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([32, 16]);
    expect(names.at(-2)).toBe('qa_outputs.weight');
    const same = parseHfConfig({ ...tinyElectra, embedding_size: 16 });
    expect(paramSpecs(same).some((s) => s.name.includes('embeddings_project'))).toBe(false);
    const bert = parseHfConfig({ model_type: 'bert', vocab_size: 50, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 });
    expect(paramSpecs(bert).every((s) => s.name.startsWith('bert.') || s.name.startsWith('qa_outputs.'))).toBe(true);
    expect(isNoDecayParam('electra.encoder.layer.0.output.LayerNorm.weight')).toBe(true);
    expect(isNoDecayParam('qa_outputs.bias')).toBe(true);
    expect(isNoDecayParam('qa_outputs.weight')).toBe(false);
  });

  it('initialises as HF _init_weights, deterministically per seed', () => {
    const a = initParams(config, 42);
    const b = initParams(config, 42);
    const c = initParams(config, 43);
    const word = a.get('electra.embeddings.word_embeddings.weight')!;
    expect(word.data).toEqual(b.get('electra.embeddings.word_embeddings.weight')!.data);
    expect(word.data).not.toEqual(c.get('electra.embeddings.word_embeddings.weight')!.data);
    expect(Array.from(word.data.subarray(0, 8))).toEqual(new Array(8).fill(0)); // padding_idx 0
    let sq = 0;
    for (let i = 8; i < word.data.length; i++) sq += word.data[i] ** 2;
    expect(Math.sqrt(sq / (word.data.length - 8))).toBeCloseTo(0.02, 2);
    expect(Array.from(a.get('electra.embeddings.LayerNorm.weight')!.data)).toEqual(new Array(8).fill(1));
    expect(Array.from(a.get('qa_outputs.bias')!.data)).toEqual([0, 0]);
    expect(Array.from(a.get('electra.encoder.layer.0.attention.self.query.bias')!.data).every((x) => x === 0)).toBe(true);
  });
});

describe('checkpoint matching', () => {
  const config = parseHfConfig(tinyElectra);

  it('initialises a missing qa_outputs as HF does and reports missing/unexpected/ignored keys', () => {
    const full = initParams(config, 1);
    const ckpt = new Map([...full].filter(([k]) => !k.startsWith('qa_outputs.')));
    ckpt.set('discriminator_predictions.dense.weight', { shape: [16, 16], data: new Float32Array(256) });
    ckpt.set('discriminator_predictions.dense_prediction.bias', { shape: [1], data: new Float32Array(1) });
    const { params, report } = matchCheckpoint(config, ckpt, { initSeed: 9, otherNames: ['electra.embeddings.position_ids'] });
    expect(report.missing).toEqual(['qa_outputs.weight', 'qa_outputs.bias']);
    expect(report.unexpected).toEqual(['discriminator_predictions.dense.weight', 'discriminator_predictions.dense_prediction.bias']);
    expect(report.ignored).toEqual(['electra.embeddings.position_ids']);
    const spec = paramSpecs(config).find((s) => s.name === 'qa_outputs.weight')!;
    expect(params.get('qa_outputs.weight')!.data).toEqual(initParam(spec, config, 9).data);
    expect(Array.from(params.get('qa_outputs.bias')!.data)).toEqual([0, 0]);
    expect(params.get('electra.embeddings.word_embeddings.weight')).toBe(full.get('electra.embeddings.word_embeddings.weight'));
  });

  it('reads bare ElectraModel names and TF-era gamma/beta LayerNorm names', () => {
    const full = initParams(config, 1);
    const bare = new Map(
      [...full].map(([k, v]) => [k.replace(/^electra\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'), v]),
    );
    const { params, report } = matchCheckpoint(config, bare, { initSeed: 0 });
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.renamed).toContainEqual({ from: 'embeddings.LayerNorm.gamma', to: 'electra.embeddings.LayerNorm.weight' });
    expect(params.get('electra.embeddings.LayerNorm.bias')).toBe(full.get('electra.embeddings.LayerNorm.bias'));
  });

  it('rejects a tensor whose shape does not match the config', () => {
    const full = initParams(config, 1);
    full.set('qa_outputs.weight', { shape: [2, 8], data: new Float32Array(16) });
    expect(() => matchCheckpoint(config, full, { initSeed: 0, source: 'w.safetensors' })).toThrow(
      /^w\.safetensors: tensor "qa_outputs.weight" has shape \[2,8\], the model's "qa_outputs.weight" needs \[2,16\]/,
    );
  });
});

/** Gradients of sum(f(inputs) · weights) w.r.t. inputs, for comparing custom ops with references. */
function gradsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], seed: number): { value: Float32Array; grads: Float32Array[] } {
  return tf.tidy(() => {
    const out = f(...xs);
    const w = tf.tensor(randomArray(out.size, seed), out.shape);
    const g = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), w)))(xs);
    return { value: out.dataSync() as Float32Array, grads: g.map((t) => t.dataSync() as Float32Array) };
  });
}

function expectSameGrads(a: ReturnType<typeof gradsOf>, b: ReturnType<typeof gradsOf>, tol = 1e-5) {
  expect(maxAbsDiff(a.value, b.value)).toBeLessThan(tol);
  expect(a.grads.length).toBe(b.grads.length);
  a.grads.forEach((g, i) => expect(maxAbsDiff(g, b.grads[i])).toBeLessThan(tol));
}

describe('custom-gradient ops agree with plain tfjs compositions', () => {
  it('linear', () => {
    const xs = [tf.tensor2d(randomArray(15, 1), [5, 3]), tf.tensor2d(randomArray(12, 2), [4, 3]), tf.tensor1d(randomArray(4, 3))];
    const ours = gradsOf((x, w, b) => linear(x as tf.Tensor2D, w, b), xs, 4);
    const ref = gradsOf((x, w, b) => tf.add(tf.matMul(x, w, false, true), b), xs, 4);
    expectSameGrads(ours, ref);
    tf.dispose(xs);
  });

  it('gelu (exact erf form)', () => {
    const xs = [tf.tensor1d(randomArray(64, 5, 3))];
    const ref = gradsOf((x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))), xs, 6);
    expectSameGrads(gradsOf((x) => gelu(x), xs, 6), ref);
    // Against float64 GELU at a few points (erf from its Maclaurin series).
    const erf = (z: number) => {
      let sum = 0;
      let term = z;
      for (let n = 0; n < 60; n++) {
        sum += term / (2 * n + 1);
        term *= (-z * z) / (n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    const pts = [-3, -1, -0.5, 0, 0.3, 1, 2.5];
    const got = tf.tidy(() => gelu(tf.tensor1d(pts)).dataSync());
    pts.forEach((x, i) => expect(Math.abs(got[i] - 0.5 * x * (1 + erf(x / Math.SQRT2)))).toBeLessThan(1e-6));
    tf.dispose(xs);
  });

  it('addLayerNorm with a broadcast summand', () => {
    const xs = [tf.tensor3d(randomArray(24, 7), [2, 3, 4]), tf.tensor3d(randomArray(24, 8), [2, 3, 4]), tf.tensor2d(randomArray(12, 9), [3, 4]), tf.tensor1d(randomArray(4, 10)), tf.tensor1d(randomArray(4, 11))];
    const ref = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, g: tf.Tensor, be: tf.Tensor) => {
      const s = tf.add(tf.add(a, b), c);
      const { mean, variance } = tf.moments(s, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(s, mean), tf.sqrt(tf.add(variance, 1e-12))), g), be);
    };
    expectSameGrads(gradsOf((a, b, c, g, be) => addLayerNorm([a, b, c], g, be, 1e-12), xs, 12), gradsOf(ref, xs, 12));
    tf.dispose(xs);
  });

  it('attention with a padding mask', () => {
    const B = 2;
    const T = 5;
    const nh = 2;
    const H = 6;
    const xs = [0, 1, 2].map((i) => tf.tensor2d(randomArray(B * T * H, 20 + i), [B * T, H]));
    const mask = tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], [B, T]);
    const bias = tf.reshape(tf.mul(tf.sub(1, mask), FLOAT32_MIN), [B, 1, 1, T]);
    const ref = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
      const heads = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [B, T, nh, H / nh]), [0, 2, 1, 3]);
      const s = tf.div(tf.matMul(heads(q), heads(k), false, true), Math.sqrt(H / nh));
      const p = tf.softmax(tf.add(s, bias));
      return tf.reshape(tf.transpose(tf.matMul(p, heads(v)), [0, 2, 1, 3]), [B * T, H]);
    };
    const expected = gradsOf(ref, xs, 30);
    for (const strategy of ['batched', 'sliced', 'auto'] as const) {
      const ours = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => attention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, bias, { batch: B, seqLen: T, heads: nh }, undefined, strategy);
      expectSameGrads(gradsOf(ours, xs, 30), expected);
    }
    tf.dispose([...xs, mask, bias]);
  });

  it('attention with dropout: the sliced and batched products give the same values and gradients', () => {
    const B = 3;
    const T = 7;
    const nh = 4;
    const H = 8;
    const xs = [0, 1, 2].map((i) => tf.tensor2d(randomArray(B * T * H, 50 + i), [B * T, H]));
    const mask = tf.tensor2d(Array.from({ length: B * T }, (_, i) => (i % T < T - (i % 3) ? 1 : 0)), [B, T]);
    const bias = tf.reshape(tf.mul(tf.sub(1, mask), FLOAT32_MIN), [B, 1, 1, T]);
    // The same seed draws the same mask specs, so both strategies see identical dropout masks.
    const run = (strategy: 'batched' | 'sliced') => {
      const masker = new DropoutMasker(9);
      const f = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) =>
        attention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, bias, { batch: B, seqLen: T, heads: nh }, { masker, rate: 0.3 }, strategy);
      const out = gradsOf(f, xs, 60);
      masker.dispose();
      return out;
    };
    const batched = run('batched');
    const sliced = run('sliced');
    expectSameGrads(sliced, batched);
    // Dropout did act: without it the values differ.
    const plain = gradsOf((q, k, v) => attention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, bias, { batch: B, seqLen: T, heads: nh }, undefined, 'sliced'), xs, 60);
    expect(maxAbsDiff(plain.value, batched.value)).toBeGreaterThan(1e-3);
    tf.dispose([...xs, mask, bias]);
  });

  it('embedding lookup: dense (small table) and planned sparse gradients equal the one-hot reference', () => {
    const rows = 200;
    const ids = new Int32Array([3, 7, 3, 0, 199, 7, 7, 5]);
    const table = tf.tensor2d(randomArray(rows * 3, 40), [rows, 3]);
    const idsT = tf.tensor2d(ids, [2, 4], 'int32');
    const plan = createEmbeddingGradPlan(ids, rows);
    const ref = (t: tf.Tensor) => tf.reshape(tf.matMul(tf.oneHot(tf.tensor1d(ids, 'int32'), rows).toFloat(), t), [2, 4, 3]);
    const expected = gradsOf(ref, [table], 41);
    expectSameGrads(gradsOf((t) => embeddingLookup(t as tf.Tensor2D, idsT, plan), [table], 41), expected);
    expectSameGrads(gradsOf((t) => embeddingLookup(t as tf.Tensor2D, idsT), [table], 41), expected); // plan built from a read-back
    const small = tf.tensor2d(randomArray(2 * 3, 42), [2, 3]);
    const typeIds = tf.tensor2d([0, 1, 1, 0], [1, 4], 'int32');
    const refSmall = (t: tf.Tensor) => tf.reshape(tf.matMul(tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2).toFloat(), t), [1, 4, 3]);
    expectSameGrads(gradsOf((t) => embeddingLookup(t as tf.Tensor2D, typeIds), [small], 43), gradsOf(refSmall, [small], 43));
    disposePlan(plan);
    tf.dispose([table, idsT, small, typeIds]);
  });

  it('plans distinct ids padded to a bucket of 128 with unused ids, and range-checks ids', () => {
    const { uniqueIds, inverse } = planArrays(new Int32Array([5, 5, 2, 9]), 1000);
    expect(uniqueIds.length).toBe(128);
    expect(Array.from(uniqueIds.subarray(0, 3))).toEqual([5, 2, 9]);
    expect(new Set(uniqueIds).size).toBe(128);
    expect(Array.from(inverse)).toEqual([0, 0, 1, 2]);
    expect(planArrays(new Int32Array([1, 2]), 50).uniqueIds.length).toBe(50);
    expect(() => planArrays(new Int32Array([1, 50]), 50)).toThrow(/token id 50 at flat position 1 is outside the vocabulary \[0, 50\)/);
  });
});

describe('dropout masks', () => {
  it('are deterministic per seed, keep ≈ 1 − rate scaled by 1/(1 − rate), and rebuild from their spec', () => {
    const a = new DropoutMasker(3);
    const b = new DropoutMasker(3);
    const c = new DropoutMasker(4);
    const ma = a.mask([100, 100], 0.1);
    const mb = b.mask([100, 100], 0.1);
    const mc = c.mask([100, 100], 0.1);
    const va = ma.dataSync();
    expect(Array.from(mb.dataSync())).toEqual(Array.from(va));
    expect(Array.from(mc.dataSync())).not.toEqual(Array.from(va));
    const kept = Array.from(va).filter((x) => x !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.9)]));
    expect(Math.abs(kept.length / va.length - 0.9)).toBeLessThan(0.01);
    // Successive masks differ.
    const second = a.mask([100, 100], 0.1);
    expect(maxAbsDiff(second.dataSync(), va)).toBeGreaterThan(0);
    const spec = a.drawSpec([7, 9], 0.3);
    const m1 = a.maskFromSpec(spec);
    a.mask([4096, 64], 0.1).dispose(); // grows the keys' range
    const m2 = a.maskFromSpec(spec);
    expect(Array.from(m2.dataSync())).toEqual(Array.from(m1.dataSync()));
    tf.dispose([ma, mb, mc, second, m1, m2]);
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('forward pass', () => {
  function batch(config: EncoderConfig, B: number, T: number, seed: number) {
    const rng = createRng(seed);
    const inputIds = Int32Array.from({ length: B * T }, () => rng.nextInt(config.vocabSize));
    const attentionMask = Int32Array.from({ length: B * T }, (_, i) => (i % T < T - 2 ? 1 : 0));
    const tokenTypeIds = Int32Array.from({ length: B * T }, (_, i) => (i % T > T / 2 ? 1 : 0));
    return createModelInputs(config, { batchSize: B, seqLen: T, inputIds, attentionMask, tokenTypeIds }, { withGradPlan: true });
  }

  it('runs a BERT config: bert.* parameters, no embeddings_project, finite logits of the right shape', () => {
    const config = parseHfConfig({ model_type: 'bert', vocab_size: 120, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 32, max_position_embeddings: 16 });
    const model = QAModel.fromConfig(config, { seed: 5 });
    expect([...model.params.keys()].some((k) => k.startsWith('bert.encoder.layer.1.'))).toBe(true);
    expect([...model.params.keys()].some((k) => k.includes('embeddings_project'))).toBe(false);
    const inputs = batch(config, 2, 10, 1);
    const [start, end, hidden] = tf.tidy(() => {
      const o = model.forward(inputs, { training: false });
      return [o.startLogits, o.endLogits, o.lastHiddenState];
    });
    expect(start.shape).toEqual([2, 10]);
    expect(end.shape).toEqual([2, 10]);
    expect(hidden.shape).toEqual([2, 10, 16]);
    expect(Array.from(start.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([start, end, hidden]);
    disposeModelInputs(inputs);
    model.dispose();
  });

  it('is deterministic per seed in training mode, and dropout changes the outputs', () => {
    const config = parseHfConfig(tinyElectra);
    const run = (seed: number, training: boolean) => {
      const model = QAModel.fromConfig(config, { seed });
      const inputs = batch(config, 2, 12, 2);
      const out = tf.tidy(() => model.forward(inputs, { training }).startLogits.dataSync());
      disposeModelInputs(inputs);
      model.dispose();
      return Array.from(out);
    };
    expect(run(7, true)).toEqual(run(7, true));
    expect(run(7, false)).toEqual(run(7, false));
    expect(run(7, true)).not.toEqual(run(7, false));
  });

  it('rejects inputs that do not fit the config', () => {
    const config = parseHfConfig(tinyElectra);
    const ids = new Int32Array(4).fill(1);
    const ok = new Int32Array(4).fill(1);
    expect(() => createModelInputs(config, { batchSize: 2, seqLen: 2, inputIds: Int32Array.from([1, 2, 3, 300]), attentionMask: ok, tokenTypeIds: new Int32Array(4) }, { withGradPlan: true })).toThrow(
      /token id 300 at flat position 3 is outside the vocabulary/,
    );
    expect(() => createModelInputs(config, { batchSize: 2, seqLen: 2, inputIds: ids, attentionMask: ok, tokenTypeIds: Int32Array.from([0, 2, 0, 0]) }, { withGradPlan: false })).toThrow(
      /token type id 2 at flat position 1/,
    );
    expect(() => createModelInputs(config, { batchSize: 2, seqLen: 3, inputIds: ids, attentionMask: ok, tokenTypeIds: ok }, { withGradPlan: false })).toThrow(/inputIds has 4 values, expected 2 × 3 = 6/);
    const model = QAModel.fromConfig(config, { seed: 1 });
    const long = createModelInputs(config, { batchSize: 1, seqLen: 40, inputIds: new Int32Array(40), attentionMask: new Int32Array(40).fill(1), tokenTypeIds: new Int32Array(40) }, { withGradPlan: false });
    expect(() => tf.tidy(() => model.forward(long, { training: false }).startLogits)).toThrow(/sequence length 40 exceeds max_position_embeddings 32/);
    disposeModelInputs(long);
    model.dispose();
    expect(() => model.forward(long, { training: false })).toThrow(/disposed/);
  });
});

describe('tiny-model factory', () => {
  it('builds a valid small ELECTRA config and a seeded model from it', async () => {
    const c = tinyElectraConfig(1000);
    expect(c).toMatchObject({ modelType: 'electra', hiddenSize: 64, numHiddenLayers: 2, embeddingSize: 64, vocabSize: 1000 });
    expect(() => tinyElectraConfig(1000, { numAttentionHeads: 3 })).toThrow(/num_attention_heads/);
    const a = QAModel.fromConfig(tinyElectraConfig(50, { numHiddenLayers: 1 }), { seed: 2 });
    const b = QAModel.fromConfig(tinyElectraConfig(50, { numHiddenLayers: 1 }), { seed: 2 });
    expect(await a.params.get('qa_outputs.weight')!.data()).toEqual(await b.params.get('qa_outputs.weight')!.data());
    // Dropout offsets can be saved and restored with a checkpoint.
    const state = a.dropout.getState();
    const m1 = a.dropout.mask([10], 0.5);
    a.dropout.setState(state);
    const m2 = a.dropout.mask([10], 0.5);
    expect(Array.from(m2.dataSync())).toEqual(Array.from(m1.dataSync()));
    tf.dispose([m1, m2]);
    a.dispose();
    b.dispose();
  });
});
