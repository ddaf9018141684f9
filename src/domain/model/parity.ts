/**
 * Parity check of our model, loss and optimizer against a PyTorch fixture folder
 * (`shared/reference/parity/<name>/`, described in shared/reference/README.md). Pure: takes the
 * folder's files as bytes/JSON, runs on whatever tfjs backend is active (Node wasm/cpu in unit
 * tests, WebGPU in Chromium from an e2e test) and returns a structured report.
 *
 * Tolerances (README): logits and hidden states 1e-5 absolute; losses 1e-5 absolute; gradients
 * and parameters after the optimizer steps 1e-4 relative to each tensor's max |expected|.
 *
 * One principled exception. Some gradients are exactly zero in exact arithmetic, whatever the
 * weights and inputs, because of shift invariances of softmax:
 *   - every attention key bias (adds q·b_k to all scores of a query row),
 *   - qa_outputs.bias (adds a constant to all start or end logits),
 *   - the last layer's output LayerNorm bias (reaches the loss only through qa_outputs, again as
 *     a constant per head).
 * PyTorch's values for them are float32 rounding noise (~1e-8 against gradients of order 1), so a
 * tolerance relative to their own size compares noise with noise. For these tensors:
 *   - gradient: |ours − expected| ≤ 1e-4 × the largest |expected gradient| of the model (i.e. both
 *     are zero at float32 resolution of the backward pass);
 *   - after the steps: Adam normalises the noise to steps of ±lr with arbitrary sign, so the two
 *     trajectories may differ by up to Adam's step bound 2 · (1 − β1)/√(1 − β2) · Σ lr_t.
 * These checks are reported with `basis: 'structural-zero'`, never skipped.
 */
import * as tf from '@tensorflow/tfjs';
import { qaLoss, type LossTargets } from '../train/loss';
import { AdamW, scheduledLr } from '../train/optimizer';
import { encoderPrefix, parseHfConfig } from './config';
import type { HostTensor } from './host-tensor';
import { createModelInputs, disposeModelInputs, QAModel, type HostBatch } from './model';
import { readSafetensors } from './safetensors';
import { computeGradients, disposeStats } from './train-step';

export interface ParityFixtureFiles {
  name: string;
  configJson: unknown;
  modelSafetensors: Uint8Array;
  inputsJson: unknown;
  expectedJson: unknown;
  expectedSafetensors: Uint8Array;
}

export type ParityGroup = 'outputs' | 'losses' | 'schedule' | 'gradients' | 'after_steps';

export interface ParityCheck {
  name: string;
  group: ParityGroup;
  /** Max |ours − expected| over the tensor. */
  maxAbsError: number;
  /** Max |expected| (the scale of relative checks). */
  maxAbsExpected: number;
  /** The number compared with the tolerance: absolute error, or absolute error / scale. */
  error: number;
  tolerance: number;
  relative: boolean;
  /** 'own-scale' (README rule) or 'structural-zero' (see the module comment). */
  basis: 'own-scale' | 'structural-zero';
  pass: boolean;
  /** Why a check failed other than by tolerance (missing tensor, shape, NaN). */
  problem?: string;
}

export interface ParityReport {
  fixture: string;
  backend: string;
  checks: ParityCheck[];
  pass: boolean;
  /** Load report of the fixture's weights (must be clean). */
  load: { missing: string[]; unexpected: string[] };
  failures: string[];
}

export const PARITY_TOLERANCES = { outputs: 1e-5, losses: 1e-5, gradients: 1e-4, after_steps: 1e-4, schedule: 1e-12 } as const;

class FixtureError extends Error {
  constructor(fixture: string, file: string, detail: string) {
    super(`parity fixture ${fixture}, ${file}: ${detail}`);
  }
}

function compare(
  name: string,
  group: ParityGroup,
  ours: ArrayLike<number>,
  expected: ArrayLike<number>,
  relative: boolean,
): ParityCheck {
  const tolerance = PARITY_TOLERANCES[group];
  const base = { name, group, tolerance, relative, basis: 'own-scale' as const };
  if (ours.length !== expected.length) {
    return { ...base, maxAbsError: NaN, maxAbsExpected: NaN, error: NaN, pass: false, problem: `size ${ours.length} vs expected ${expected.length}` };
  }
  let maxErr = 0;
  let maxRef = 0;
  let nonFinite = false;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i] - expected[i]);
    if (!Number.isFinite(ours[i])) nonFinite = true;
    if (d > maxErr) maxErr = d;
    const r = Math.abs(expected[i]);
    if (r > maxRef) maxRef = r;
  }
  const error = relative ? (maxRef > 0 ? maxErr / maxRef : maxErr) : maxErr;
  const pass = !nonFinite && error <= tolerance;
  return { ...base, maxAbsError: maxErr, maxAbsExpected: maxRef, error, pass, problem: nonFinite ? 'non-finite values' : undefined };
}

function missingCheck(name: string, group: ParityGroup, problem: string): ParityCheck {
  return { name, group, maxAbsError: NaN, maxAbsExpected: NaN, error: NaN, tolerance: PARITY_TOLERANCES[group], relative: false, basis: 'own-scale', pass: false, problem };
}

/** Absolute comparison against an explicit bound, for structurally zero gradients. */
function compareAbs(name: string, group: ParityGroup, ours: ArrayLike<number>, expected: ArrayLike<number>, bound: number): ParityCheck {
  const c = compare(name, group, ours, expected, false);
  const pass = c.problem === undefined && c.maxAbsError <= bound;
  return { ...c, error: c.maxAbsError, tolerance: bound, basis: 'structural-zero', pass };
}

/** Parameters whose gradient is identically zero (see the module comment). */
export function hasStructurallyZeroGradient(name: string, prefix: string, numLayers: number): boolean {
  return (
    /\.attention\.self\.key\.bias$/.test(name) ||
    name === 'qa_outputs.bias' ||
    name === `${prefix}.encoder.layer.${numLayers - 1}.output.LayerNorm.bias`
  );
}

function intMatrix(json: Record<string, unknown>, key: string, fixture: string): { rows: number; cols: number; data: Int32Array } {
  const v = json[key];
  if (!Array.isArray(v) || v.length === 0 || !v.every((r) => Array.isArray(r))) {
    throw new FixtureError(fixture, 'inputs.json', `"${key}" must be a non-empty array of arrays`);
  }
  const rows = v.length;
  const cols = (v[0] as unknown[]).length;
  const data = new Int32Array(rows * cols);
  v.forEach((r: unknown[], i) => {
    if (r.length !== cols) throw new FixtureError(fixture, 'inputs.json', `"${key}" row ${i} has ${r.length} values, row 0 has ${cols}`);
    r.forEach((x, j) => {
      if (typeof x !== 'number' || !Number.isInteger(x)) throw new FixtureError(fixture, 'inputs.json', `"${key}"[${i}][${j}] is not an integer`);
      data[i * cols + j] = x;
    });
  });
  return { rows, cols, data };
}

function numVector(json: Record<string, unknown>, key: string, n: number, fixture: string, file: string): number[] {
  const v = json[key];
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new FixtureError(fixture, file, `"${key}" must be an array of ${n} numbers`);
  }
  return v as number[];
}

function num(json: Record<string, unknown>, key: string, fixture: string): number {
  const v = json[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FixtureError(fixture, 'expected.json', `"${key}" must be a number`);
  return v;
}

function obj(v: unknown, what: string, fixture: string, file: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new FixtureError(fixture, file, `${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

/** Runs every parity check of one fixture on the active backend. */
export async function runParity(files: ParityFixtureFiles): Promise<ParityReport> {
  const fx = files.name;
  const config = parseHfConfig(files.configJson, `${fx}/config.json`);
  const weights = readSafetensors(files.modelSafetensors, `${fx}/model.safetensors`);
  const expected = readSafetensors(files.expectedSafetensors, `${fx}/expected.safetensors`).tensors;
  const inputsJson = obj(files.inputsJson, 'inputs.json', fx, 'inputs.json');
  const expJson = obj(files.expectedJson, 'expected.json', fx, 'expected.json');
  const opt = obj(expJson.optimizer, '"optimizer"', fx, 'expected.json');

  const ids = intMatrix(inputsJson, 'input_ids', fx);
  const mask = intMatrix(inputsJson, 'attention_mask', fx);
  const types = intMatrix(inputsJson, 'token_type_ids', fx);
  for (const [k, m] of [
    ['attention_mask', mask],
    ['token_type_ids', types],
  ] as const) {
    if (m.rows !== ids.rows || m.cols !== ids.cols) throw new FixtureError(fx, 'inputs.json', `"${k}" is ${m.rows}×${m.cols}, input_ids ${ids.rows}×${ids.cols}`);
  }
  const B = ids.rows;
  const starts = numVector(inputsJson, 'start_positions', B, fx, 'inputs.json');
  const ends = numVector(inputsJson, 'end_positions', B, fx, 'inputs.json');
  const weightsVec = numVector(inputsJson, 'example_weights', B, fx, 'inputs.json');
  const epsVec = numVector(inputsJson, 'smoothing_eps', B, fx, 'inputs.json');

  const betas = opt.betas;
  if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === 'number')) {
    throw new FixtureError(fx, 'expected.json', '"optimizer.betas" must be two numbers');
  }
  const stepsTaken = num(opt, 'steps_taken', fx);
  const lrPerStep = numVector(opt, 'lr_per_step', stepsTaken, fx, 'expected.json');
  const lossPerStep = numVector(opt, 'loss_per_step', stepsTaken, fx, 'expected.json');
  if (opt.schedule !== 'linear') throw new FixtureError(fx, 'expected.json', `schedule ${JSON.stringify(opt.schedule)} is not "linear"`);
  if (expJson.gradients_of !== 'loss_smoothed_weighted' || opt.loss !== 'loss_smoothed_weighted') {
    throw new FixtureError(fx, 'expected.json', 'gradients_of and optimizer.loss must be "loss_smoothed_weighted"');
  }

  const checks: ParityCheck[] = [];
  const prefix = encoderPrefix(config);
  const { model, report } = QAModel.fromCheckpoint(config, weights.tensors, { seed: 0, source: `${fx}/model.safetensors`, otherNames: weights.nonFloat.map((t) => t.name) });
  const batch: HostBatch = { batchSize: B, seqLen: ids.cols, inputIds: ids.data, attentionMask: mask.data, tokenTypeIds: types.data };
  const inputs = createModelInputs(config, batch, { withGradPlan: true });
  const startT = tf.tensor1d(starts, 'int32');
  const endT = tf.tensor1d(ends, 'int32');
  const epsT = tf.tensor1d(epsVec, 'float32');
  const wT = tf.tensor1d(weightsVec, 'float32');
  const optimizer = new AdamW(model.params, {
    betas: betas as [number, number],
    eps: num(opt, 'eps', fx),
    weightDecay: num(opt, 'weight_decay', fx),
    maxGradNorm: num(opt, 'max_grad_norm', fx),
  });
  const expect = (key: string): HostTensor | undefined => expected.get(key);

  try {
    // Outputs and the four losses, dropout off (the fixture's setting).
    const lossNames = ['loss', 'loss_smoothed', 'loss_weighted', 'loss_smoothed_weighted'];
    const fwd = tf.tidy(() => {
      const out = model.forward(inputs, { training: false });
      const variants: LossTargets[] = [
        { startPositions: startT, endPositions: endT },
        { startPositions: startT, endPositions: endT, smoothingEps: epsT },
        { startPositions: startT, endPositions: endT, weights: wT },
        { startPositions: startT, endPositions: endT, smoothingEps: epsT, weights: wT },
      ];
      const losses = variants.map((t) => qaLoss(out.startLogits, out.endLogits, t).loss);
      return [out.startLogits, out.endLogits, out.lastHiddenState, ...losses];
    });
    const outputNames = ['start_logits', 'end_logits', 'last_hidden_state'];
    for (let i = 0; i < outputNames.length; i++) {
      const e = expect(outputNames[i]);
      checks.push(e ? compare(outputNames[i], 'outputs', await fwd[i].data(), e.data, false) : missingCheck(outputNames[i], 'outputs', `expected.safetensors has no "${outputNames[i]}"`));
    }
    for (let i = 0; i < lossNames.length; i++) {
      checks.push(compare(lossNames[i], 'losses', await fwd[3 + i].data(), [num(expJson, lossNames[i], fx)], false));
    }
    tf.dispose(fwd);

    // Gradients of loss_smoothed_weighted, then the optimizer steps.
    const targets: LossTargets = { startPositions: startT, endPositions: endT, smoothingEps: epsT, weights: wT };
    const schedule = { baseLr: num(opt, 'lr', fx), warmupSteps: num(opt, 'warmup_steps', fx), totalSteps: num(opt, 'total_steps', fx) };
    for (let step = 0; step < stepsTaken; step++) {
      const { loss, grads, stats } = computeGradients(model, inputs, targets, { training: false });
      disposeStats(stats);
      checks.push(compare(`loss_before_step_${step}`, 'losses', await loss.data(), [lossPerStep[step]], false));
      loss.dispose();
      if (step === 0) {
        let gradScale = 0;
        for (const name of model.params.keys()) {
          for (const x of expect(`grad.${name}`)?.data ?? []) gradScale = Math.max(gradScale, Math.abs(x));
        }
        for (const name of model.params.keys()) {
          const e = expect(`grad.${name}`);
          const g = grads.get(name);
          if (!e) checks.push(missingCheck(`grad.${name}`, 'gradients', 'not in expected.safetensors'));
          else if (!g) checks.push(missingCheck(`grad.${name}`, 'gradients', 'no gradient computed'));
          else if (hasStructurallyZeroGradient(name, prefix, config.numHiddenLayers)) {
            checks.push(compareAbs(`grad.${name}`, 'gradients', await g.data(), e.data, PARITY_TOLERANCES.gradients * gradScale));
          } else checks.push(compare(`grad.${name}`, 'gradients', await g.data(), e.data, true));
        }
      }
      const lr = scheduledLr(schedule, step);
      checks.push(compare(`lr_step_${step}`, 'schedule', [lr], [lrPerStep[step]], false));
      optimizer.step(grads, lr).dispose();
      for (const g of grads.values()) g.dispose();
    }
    const [b1, b2] = betas as [number, number];
    const adamBound = 2 * Math.max(1, (1 - b1) / Math.sqrt(1 - b2)) * lrPerStep.reduce((a, b) => a + b, 0);
    for (const [name, v] of model.params) {
      const key = `after${stepsTaken}steps.${name}`;
      const e = expect(key);
      if (!e) checks.push(missingCheck(key, 'after_steps', 'not in expected.safetensors'));
      else if (hasStructurallyZeroGradient(name, prefix, config.numHiddenLayers)) {
        checks.push(compareAbs(key, 'after_steps', await v.data(), e.data, adamBound));
      } else checks.push(compare(key, 'after_steps', await v.data(), e.data, true));
    }
  } finally {
    optimizer.dispose();
    model.dispose();
    disposeModelInputs(inputs);
    tf.dispose([startT, endT, epsT, wT]);
  }

  const loadProblems = [...report.missing.map((n) => `weight missing from model.safetensors: ${n}`), ...report.unexpected.map((n) => `unexpected weight: ${n}`)];
  const failures = [
    ...loadProblems,
    ...checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.problem ?? `error ${c.error.toExponential(3)} > ${c.tolerance}`}`),
  ];
  return {
    fixture: fx,
    backend: tf.getBackend(),
    checks,
    pass: failures.length === 0,
    load: { missing: report.missing, unexpected: report.unexpected },
    failures,
  };
}

/** One line per group: worst error and pass/fail, for logs. */
export function summariseParity(report: ParityReport): string {
  const groups = new Map<ParityGroup, ParityCheck[]>();
  for (const c of report.checks) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  const lines = [`parity ${report.fixture} on ${report.backend}: ${report.pass ? 'PASS' : 'FAIL'}`];
  for (const [g, cs] of groups) {
    // Worst = closest to (or furthest past) its own tolerance.
    const ratio = (c: ParityCheck) => (c.tolerance > 0 ? c.error / c.tolerance : c.error);
    const worst = cs.reduce((a, b) => (!(ratio(a) >= ratio(b)) ? b : a));
    lines.push(
      `  ${g}: ${cs.length} checks, ${cs.filter((c) => !c.pass).length} failed, worst ${worst.name} ${worst.error.toExponential(2)} (tol ${worst.tolerance.toExponential(2)}, ${worst.basis})`,
    );
  }
  for (const f of report.failures.slice(0, 20)) lines.push(`  FAIL ${f}`);
  return lines.join('\n');
}
