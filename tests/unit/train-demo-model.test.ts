import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/cli/tf-node';
import { createDemoModel, sinusoidalPositions } from '../../src/domain/train/demo-model';
import { DEMO_MODEL_SHAPE } from '../../src/domain/train/demo-settings';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const dot = (t: Float32Array, w: number, a: number, b: number) => {
  let s = 0;
  for (let i = 0; i < w; i++) s += t[a * w + i] * t[b * w + i];
  return s;
};

describe('sinusoidal position init', () => {
  it('has the asked row RMS, and dot products that depend on the offset only', () => {
    const w = 64;
    const t = sinusoidalPositions(256, w, 0.15);
    for (const p of [0, 7, 200]) expect(Math.sqrt(dot(t, w, p, p) / w)).toBeCloseTo(0.15, 6);
    // sin a sin b + cos a cos b = cos(a − b): the same offset gives the same product anywhere.
    expect(dot(t, w, 10, 13)).toBeCloseTo(dot(t, w, 100, 103), 5);
    expect(dot(t, w, 10, 13)).not.toBeCloseTo(dot(t, w, 10, 40), 2);
    // Odd widths leave no NaN or unfilled column beyond the last pair.
    expect(sinusoidalPositions(4, 5, 1).every(Number.isFinite)).toBe(true);
  });

  it('is what the demo model starts from (and a plain normal init when asked)', async () => {
    const sin = createDemoModel({ seed: 3 });
    const normal = createDemoModel({ seed: 3, positionInit: 'normal' });
    try {
      const name = 'electra.embeddings.position_embeddings.weight';
      const table = sin.model.params.get(name)!;
      expect(table.shape).toEqual([DEMO_MODEL_SHAPE.max_position_embeddings, DEMO_MODEL_SHAPE.hidden_size]);
      const [positions, width] = table.shape as [number, number];
      const expected = sinusoidalPositions(positions, width, DEMO_MODEL_SHAPE.initializer_range);
      expect(Array.from(await table.data())).toEqual(Array.from(expected));
      expect(Array.from(await normal.model.params.get(name)!.data())).not.toEqual(Array.from(expected));
      // Everything else is the same seeded init.
      const word = 'electra.embeddings.word_embeddings.weight';
      expect(Array.from(await sin.model.params.get(word)!.data())).toEqual(Array.from(await normal.model.params.get(word)!.data()));
      expect(sin.config.numAttentionHeads).toBe(DEMO_MODEL_SHAPE.num_attention_heads);
    } finally {
      sin.model.dispose();
      normal.model.dispose();
    }
  });
});
