/**
 * Backend choice by measurement: which tfjs backends (and wasm thread counts) to time, what a
 * measurement says, and which one trains. Pure data in, data out: the callers start backends,
 * run the timed step (train/step-probe.ts) and store the figures.
 */
import type { EncoderConfig } from '../model/config';

export type BackendName = 'webgpu' | 'wasm' | 'webgl' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'wasm', 'webgl', 'cpu'];

export type BackendPreference = 'auto' | BackendName;
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', ...BACKEND_NAMES];

export interface BackendCandidate {
  backend: BackendName;
  /** wasm only: the XNNPACK thread pool size (1 = the single-thread build). */
  threads?: number;
  /** webgpu only: the adapter is a software rasteriser (SwiftShader, lavapipe, WARP). */
  software?: boolean;
}

export interface BackendMeasurement {
  candidate: BackendCandidate;
  /** Did the backend start and finish the timed step? */
  ok: boolean;
  /** Mean of the timed steps (absent when it failed or ran past its deadline). */
  msPerStep?: number;
  warmupMs?: number;
  /** It was stopped at its deadline: each step takes at least this long. */
  atLeastMs?: number;
  note: string;
}

/** The probe's batch and sequence: the model's op mix at a small batch. */
export interface ProbeSetup {
  batch: number;
  seq: number;
  /** Timed steps at least (after one warm-up step). */
  steps: number;
  /** More timed steps, up to `maxSteps`, until they took this long: fast steps are noisy. */
  minTimedMs?: number;
  maxSteps?: number;
}

/** The choice compares medians of at least 1.5 s of steps (2 steps when a step is slower). */
export const DEFAULT_PROBE: ProbeSetup = { batch: 2, seq: 128, steps: 2, minTimedMs: 1500, maxSteps: 20 };

/** The batch × sequence a run trains at (per_device_train_batch_size × max_length). */
export interface TrainingShape {
  batch: number;
  seq: number;
}

/**
 * Most matMul work a probe step may do, in tokens × encoder weights: ELECTRA-small (9.4 M weights in
 * its layers) at batch 8 × 64. A probe costs seconds, not the minutes of a full ELECTRA step.
 */
export const PROBE_WORK = 5e9;

/**
 * The probe for a run: the run's own batch (up to 8) and sequence, shortened until a step's matMul
 * work fits PROBE_WORK. It must look like the training step: a smaller one misleads, because the
 * thread pool's gain grows with the matMul rows (measured here: demo model at 2 × 128, one wasm
 * thread 0.8–1.0× the time of two; at its training batch 8 × 192, two threads 1.10–1.13× faster;
 * ELECTRA-small gains 3–6 % at 2 × 128 and 12–20 % at 8 × 64).
 */
export function probeFor(config: Pick<EncoderConfig, 'numHiddenLayers' | 'hiddenSize' | 'intermediateSize'>, training: TrainingShape): ProbeSetup {
  const batch = Math.max(1, Math.min(8, Math.floor(training.batch)));
  const h = config.hiddenSize;
  const perToken = config.numHiddenLayers * (4 * h * h + 2 * h * config.intermediateSize);
  const fits = Math.floor(PROBE_WORK / (batch * Math.max(1, perToken)) / 32) * 32;
  const seq = Math.max(32, Math.min(Math.floor(training.seq), fits));
  return { ...DEFAULT_PROBE, batch, seq };
}

/** Where measurements are kept: the model's shape and the probe's batch × sequence. */
export function measurementKey(shape: string, probe: Pick<ProbeSetup, 'batch' | 'seq'>): string {
  return `${shape}@${probe.batch}x${probe.seq}`;
}

/** "wasm ×2 threads", "wasm 1 thread", "webgpu (software)", "webgl", "cpu". */
export function candidateLabel(c: BackendCandidate): string {
  if (c.backend === 'wasm') return (c.threads ?? 1) > 1 ? `wasm ×${c.threads} threads` : 'wasm 1 thread';
  if (c.backend === 'webgpu') return c.software ? 'webgpu (software)' : 'webgpu';
  return c.backend;
}

/** Identity of a candidate across measurements (the software flag is a property, not an identity). */
export function candidateKey(c: BackendCandidate): string {
  return c.backend === 'wasm' ? `wasm:${c.threads ?? 1}` : c.backend;
}

/**
 * The architecture the timing depends on. A measurement is reused for a model with the same key;
 * any change of width, depth, heads or vocabulary is a different op mix and is measured again.
 */
export function shapeKey(c: Pick<EncoderConfig, 'modelType' | 'numHiddenLayers' | 'hiddenSize' | 'embeddingSize' | 'intermediateSize' | 'numAttentionHeads' | 'vocabSize'>): string {
  return `${c.modelType}-L${c.numHiddenLayers}-H${c.hiddenSize}-E${c.embeddingSize}-I${c.intermediateSize}-A${c.numAttentionHeads}-V${c.vocabSize}`;
}

/** Threads for the wasm pool: every logical core, capped (past 8 the step gains little and the UI starves). */
export function wasmThreadsFor(hardwareConcurrency: number | undefined, cap = 8): number {
  const n = Math.floor(hardwareConcurrency ?? 1);
  return Math.max(1, Math.min(cap, Number.isFinite(n) ? n : 1));
}

export interface Capabilities {
  /** A WebGPU adapter exists; null = none. */
  webgpu: { software: boolean } | null;
  /** SharedArrayBuffer is usable (cross-origin isolated page, or Node). */
  wasmThreads: boolean;
  hardwareConcurrency: number;
  webgl: boolean;
  cpu: boolean;
}

/** Every candidate worth timing here, fastest-expected first (so a slow one gets a tight deadline). */
export function candidatesFor(cap: Capabilities): BackendCandidate[] {
  const out: BackendCandidate[] = [];
  const threads = wasmThreadsFor(cap.hardwareConcurrency);
  if (cap.webgpu && !cap.webgpu.software) out.push({ backend: 'webgpu', software: false });
  if (cap.wasmThreads && threads > 1) out.push({ backend: 'wasm', threads });
  out.push({ backend: 'wasm', threads: 1 });
  if (cap.webgpu?.software) out.push({ backend: 'webgpu', software: true });
  if (cap.webgl) out.push({ backend: 'webgl' });
  if (cap.cpu) out.push({ backend: 'cpu' });
  return out;
}

/**
 * How long a probe may run before it is stopped: generous while nothing has been timed, then ten
 * times the best probe so far (its warm-up and timed steps; a backend that slow will not be picked,
 * and the user waits for the measurement once per device and model shape).
 */
export function probeDeadlineMs(best: BackendMeasurement | undefined, probe: ProbeSetup, firstMs = 180_000, floorMs = 20_000): number {
  if (!best?.ok || best.msPerStep == null) return firstMs;
  const timed = Math.max(best.msPerStep * probe.steps, probe.minTimedMs ?? 0);
  const total = (best.warmupMs ?? best.msPerStep) + timed;
  return Math.max(floorMs, Math.round(10 * total));
}

/** The fastest finished measurement. */
export function fastest(ms: readonly BackendMeasurement[]): BackendMeasurement | undefined {
  let best: BackendMeasurement | undefined;
  for (const m of ms) if (m.ok && m.msPerStep != null && (!best || m.msPerStep < (best.msPerStep as number))) best = m;
  return best;
}

/** Step times within this ratio of each other count as a tie between wasm variants. */
export const WASM_TIE = 1.1;

/**
 * The fastest measurement, where a near-tie between wasm variants goes to more threads: the probe's
 * batch is small, and a training batch's larger matMuls gain more from the threads than it shows.
 */
export function fastestWithTies(ms: readonly BackendMeasurement[]): BackendMeasurement | undefined {
  let winner = fastest(ms);
  if (winner?.candidate.backend !== 'wasm') return winner;
  const best = winner.msPerStep as number;
  for (const m of ms) {
    if (m.ok && m.candidate.backend === 'wasm' && m.msPerStep != null && m.msPerStep <= best * WASM_TIE && (m.candidate.threads ?? 1) > (winner.candidate.threads ?? 1)) winner = m;
  }
  return winner;
}

export interface BackendChoice {
  candidate: BackendCandidate;
  /** One sentence for the status bar: which backend trains and why. */
  reason: string;
  measured?: BackendMeasurement;
}

const speed = (m: BackendMeasurement): number | undefined => m.msPerStep ?? m.atLeastMs;

function ratioText(fast: number, slow: number, atLeast: boolean): string {
  const r = slow / fast;
  const x = r >= 10 ? Math.round(r).toString() : r.toFixed(1);
  return `${atLeast ? 'more than ' : ''}${x}× faster than`;
}

/** Whom to compare the winner with: software WebGPU when it lost (the backend people expect), else the runner-up. */
function comparedWith(winner: BackendMeasurement, ms: readonly BackendMeasurement[]): BackendMeasurement | undefined {
  const others = ms.filter((m) => m !== winner && speed(m) != null);
  const gpu = others.find((m) => m.candidate.backend === 'webgpu');
  if (gpu && winner.candidate.backend !== 'webgpu') return gpu;
  return others.sort((a, b) => (speed(a) as number) - (speed(b) as number))[0];
}

/**
 * The backend that trains. `auto` takes the fastest measurement; a named backend is taken as asked
 * (its fastest variant for wasm). Throws when nothing usable was measured for the request.
 */
export function chooseBackend(ms: readonly BackendMeasurement[], preference: BackendPreference): BackendChoice {
  if (preference !== 'auto') {
    const own = ms.filter((m) => m.candidate.backend === preference);
    const measured = fastestWithTies(own) ?? own.find((m) => m.ok);
    const candidate = measured?.candidate ?? own[0]?.candidate ?? { backend: preference, ...(preference === 'wasm' ? { threads: 1 } : {}) };
    const best = fastest(ms);
    let reason = `${candidateLabel(candidate)}: chosen in Settings`;
    if (measured?.msPerStep != null) reason += ` (${Math.round(measured.msPerStep)} ms per probe step`;
    if (best && measured?.msPerStep != null && best !== measured && best.msPerStep != null) {
      reason += `; ${candidateLabel(best.candidate)} would be ${(measured.msPerStep / best.msPerStep).toFixed(1)}× faster)`;
    } else if (measured?.msPerStep != null) reason += ')';
    return { candidate, reason, measured };
  }
  const winner = fastestWithTies(ms);
  if (!winner) {
    const tried = ms.map((m) => `${candidateLabel(m.candidate)}: ${m.note}`).join('; ');
    throw new Error(`No backend finished the timed training step (${tried || 'none could start'})`);
  }
  const other = comparedWith(winner, ms);
  let reason = `${candidateLabel(winner.candidate)}: `;
  if (other) {
    const o = speed(other) as number;
    const w = winner.msPerStep as number;
    reason += o / w < 1.05 ? `about as fast as ${describeForComparison(other.candidate)} here (a tie goes to more threads)` : `${ratioText(w, o, other.msPerStep == null)} ${describeForComparison(other.candidate)} here`;
  } else reason += 'the only backend that trains here';
  return { candidate: winner.candidate, reason, measured: winner };
}

function describeForComparison(c: BackendCandidate): string {
  if (c.backend === 'webgpu') return c.software ? 'software WebGPU' : 'WebGPU';
  if (c.backend === 'wasm') return (c.threads ?? 1) > 1 ? `wasm with ${c.threads} threads` : 'single-thread wasm';
  return c.backend;
}

/**
 * Merges fresh measurements over stored ones (by candidate), keeping those of candidates that were
 * not measured again.
 */
export function mergeMeasurements(stored: readonly BackendMeasurement[], fresh: readonly BackendMeasurement[]): BackendMeasurement[] {
  const byKey = new Map(stored.map((m) => [candidateKey(m.candidate), m] as const));
  for (const m of fresh) byKey.set(candidateKey(m.candidate), m);
  return [...byKey.values()];
}

/** Candidates without a stored measurement. */
export function unmeasured(candidates: readonly BackendCandidate[], stored: readonly BackendMeasurement[]): BackendCandidate[] {
  const have = new Set(stored.map((m) => candidateKey(m.candidate)));
  return candidates.filter((c) => !have.has(candidateKey(c)));
}

export interface MeasureHooks {
  /** Times one candidate; rejects or resolves `ok: false` when it cannot start. Must stop at `deadlineMs`. */
  measure(candidate: BackendCandidate, deadlineMs: number): Promise<BackendMeasurement>;
  onCandidate?(candidate: BackendCandidate, index: number, total: number): void;
}

/** Times the candidates one after another, each with a deadline derived from the best so far. */
export async function measureCandidates(candidates: readonly BackendCandidate[], probe: ProbeSetup, hooks: MeasureHooks, known: readonly BackendMeasurement[] = []): Promise<BackendMeasurement[]> {
  const out: BackendMeasurement[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    hooks.onCandidate?.(c, i, candidates.length);
    const deadline = probeDeadlineMs(fastest([...known, ...out]), probe);
    try {
      out.push(await hooks.measure(c, deadline));
    } catch (e) {
      out.push({ candidate: c, ok: false, note: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
