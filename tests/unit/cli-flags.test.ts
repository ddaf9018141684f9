// The demo scripts' flag parsers: each bad value is refused with the flag and what it got.
import { describe, expect, it } from 'vitest';
import { backendFlag, intFlag, numberFlag, shapeFlag } from '../../src/cli/flags';

describe('demo script flags', () => {
  it('numbers and whole numbers', () => {
    expect(numberFlag('--lr', '3e-3')).toBe(0.003);
    expect(() => numberFlag('--lr', undefined)).toThrow('--lr needs a number, got nothing');
    expect(() => numberFlag('--lr', '')).toThrow('--lr needs a number, got ""');
    expect(() => numberFlag('--lr', 'fast')).toThrow('--lr needs a number, got "fast"');
    expect(intFlag('--steps', '12', 1)).toBe(12);
    expect(() => intFlag('--steps', '1.5', 1)).toThrow('--steps must be an integer ≥ 1, got 1.5');
    expect(() => intFlag('--steps', '0', 1)).toThrow('--steps must be an integer ≥ 1, got 0');
  });

  it('backends', () => {
    expect(backendFlag('wasm')).toBe('wasm');
    expect(() => backendFlag('gpu')).toThrow(/--backend must be one of .*wasm.*, got "gpu"/);
  });

  it('model shapes: sizes whole, rates real, unknown fields named', () => {
    expect(shapeFlag('hidden_size=96,num_hidden_layers=3,hidden_dropout_prob=0.1')).toEqual({ hidden_size: 96, num_hidden_layers: 3, hidden_dropout_prob: 0.1 });
    expect(() => shapeFlag(undefined)).toThrow('--shape needs key=value pairs');
    expect(() => shapeFlag('hidden=96')).toThrow(/--shape: unknown field "hidden" \(one of .*hidden_size/);
    expect(() => shapeFlag('hidden_size=9.5')).toThrow('--shape hidden_size must be an integer ≥ 1, got 9.5');
    expect(() => shapeFlag('hidden_size')).toThrow('--shape hidden_size needs a number, got nothing');
    expect(() => shapeFlag('hidden_dropout_prob=-0.1')).toThrow('--shape hidden_dropout_prob must be ≥ 0, got -0.1');
    expect(() => shapeFlag('model_type=bert')).toThrow(/unknown field "model_type"/);
  });
});
