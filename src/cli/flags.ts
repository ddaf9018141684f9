/**
 * Flag values of the demo scripts (train-demo, pretrain-demo): each parser names the flag and
 * what it got when the value is not what the flag takes.
 */
import { DEMO_MODEL_SHAPE, type DemoModelOptions } from '../domain/train/demo-model';
import { NODE_BACKEND_CHOICES, type NodeBackendChoice } from './node-backends';

const shown = (v: string | undefined): string => (v === undefined ? 'nothing' : JSON.stringify(v));

export function numberFlag(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n)) throw new Error(`${flag} needs a number, got ${shown(v)}`);
  return n;
}

export function intFlag(flag: string, v: string | undefined, min: number): number {
  const n = numberFlag(flag, v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}, got ${v}`);
  return n;
}

export function backendFlag(v: string | undefined): NodeBackendChoice {
  if (!(NODE_BACKEND_CHOICES as readonly (string | undefined)[]).includes(v)) throw new Error(`--backend must be one of ${NODE_BACKEND_CHOICES.join(', ')}, got ${shown(v)}`);
  return v as NodeBackendChoice;
}

/** Fields of DEMO_MODEL_SHAPE that take any number ≥ 0: dropout rates, ε and the init range. */
const REAL_FIELDS = new Set(['hidden_dropout_prob', 'attention_probs_dropout_prob', 'layer_norm_eps', 'initializer_range']);

/** `key=value,...` over DEMO_MODEL_SHAPE's numeric fields: sizes and counts whole numbers ≥ 1. */
export function shapeFlag(text: string | undefined): NonNullable<DemoModelOptions['shape']> {
  if (!text) throw new Error('--shape needs key=value pairs, e.g. hidden_size=96,num_hidden_layers=3');
  const keys = Object.keys(DEMO_MODEL_SHAPE).filter((k) => typeof DEMO_MODEL_SHAPE[k as keyof typeof DEMO_MODEL_SHAPE] === 'number');
  const shape: Record<string, number> = {};
  for (const pair of text.split(',')) {
    const [key, value] = pair.split('=');
    if (!keys.includes(key)) throw new Error(`--shape: unknown field ${JSON.stringify(key)} (one of ${keys.join(', ')})`);
    const n = REAL_FIELDS.has(key) ? numberFlag(`--shape ${key}`, value) : intFlag(`--shape ${key}`, value, 1);
    if (n < 0) throw new Error(`--shape ${key} must be ≥ 0, got ${value}`);
    shape[key] = n;
  }
  return shape;
}
