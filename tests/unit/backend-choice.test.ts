// Backend choice by measurement: candidates, deadlines, the pick and its reason, the stored
// figures (IndexedDB and the CLI cache) and the timed step itself on wasm.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  candidateLabel,
  candidatesFor,
  chooseBackend,
  DEFAULT_PROBE,
  measureCandidates,
  mergeMeasurements,
  measurementKey,
  probeDeadlineMs,
  probeFor,
  shapeKey,
  unmeasured,
  wasmThreadsFor,
  type BackendMeasurement,
} from '../../src/domain/compute/backend-choice';
import { parseHfConfig } from '../../src/domain/model/config';
import { demoProbeConfig, DEMO_TRAINING_SHAPE } from '../../src/domain/train/demo-settings';
import { timeTrainingSteps } from '../../src/domain/train/step-probe';
import { ProbeProgress } from '../../src/domain/compute/probe-progress';
import { openLabDB } from '../../src/storage/db';
import { clearMeasurements, readBackendPreference, readMeasurements, writeBackendPreference, writeMeasurements } from '../../src/storage/backend-settings';
import { readCachedMeasurements, writeCachedMeasurements } from '../../src/cli/backend-cache';
import { chooseNodeBackend, initNodeBackend, measureNodeBackend } from '../../src/cli/tf-node';

const ok = (backend: BackendMeasurement['candidate'], msPerStep: number, warmupMs = msPerStep): BackendMeasurement => ({ candidate: backend, ok: true, msPerStep, warmupMs, note: 'timed' });

describe('backend candidates', () => {
  it('lists hardware WebGPU first, software WebGPU after wasm, threads only when SharedArrayBuffer works', () => {
    const base = { wasmThreads: true, hardwareConcurrency: 2, webgl: true, cpu: true };
    expect(candidatesFor({ ...base, webgpu: { software: true } }).map(candidateLabel)).toEqual(['wasm ×2 threads', 'wasm 1 thread', 'webgpu (software)', 'webgl', 'cpu']);
    expect(candidatesFor({ ...base, webgpu: { software: false } }).map(candidateLabel)).toEqual(['webgpu', 'wasm ×2 threads', 'wasm 1 thread', 'webgl', 'cpu']);
    expect(candidatesFor({ ...base, wasmThreads: false, webgpu: null }).map(candidateLabel)).toEqual(['wasm 1 thread', 'webgl', 'cpu']);
    expect(candidatesFor({ ...base, hardwareConcurrency: 1, webgpu: null }).map(candidateLabel)).toEqual(['wasm 1 thread', 'webgl', 'cpu']);
  });

  it('caps the wasm pool at 8 threads and never goes below 1', () => {
    expect(wasmThreadsFor(2)).toBe(2);
    expect(wasmThreadsFor(32)).toBe(8);
    expect(wasmThreadsFor(undefined)).toBe(1);
    expect(wasmThreadsFor(0)).toBe(1);
  });

  it('keys measurements by architecture: width, depth, heads, FFN and vocabulary', () => {
    const demo = parseHfConfig(demoProbeConfig());
    const small = parseHfConfig({ model_type: 'electra' });
    expect(shapeKey(demo)).toBe('electra-L2-H64-E64-I256-A2-V2000');
    expect(shapeKey(small)).toBe('electra-L12-H256-E128-I1024-A4-V30522');
    expect(shapeKey(parseHfConfig({ ...demoProbeConfig(), max_position_embeddings: 512 }))).toBe(shapeKey(demo));
    expect(shapeKey(parseHfConfig({ ...demoProbeConfig(), num_hidden_layers: 3 }))).not.toBe(shapeKey(demo));
  });
});

describe('choosing', () => {
  const sw = { backend: 'webgpu' as const, software: true };
  const w2 = { backend: 'wasm' as const, threads: 2 };
  const w1 = { backend: 'wasm' as const, threads: 1 };

  it('takes the fastest, and a software GPU only when it measures faster', () => {
    const c = chooseBackend([ok(w2, 40), ok(w1, 60), ok(sw, 1520), ok({ backend: 'cpu' }, 700)], 'auto');
    expect(c.candidate).toEqual(w2);
    expect(c.reason).toBe('wasm ×2 threads: 38× faster than software WebGPU here');
    expect(chooseBackend([ok(w1, 60), ok(sw, 30)], 'auto').candidate).toEqual(sw);
  });

  it('breaks a near-tie between wasm variants towards more threads, and says so', () => {
    const c = chooseBackend([ok(w2, 52), ok(w1, 50)], 'auto');
    expect(c.candidate).toEqual(w2);
    expect(c.reason).toContain('about as fast as single-thread wasm');
    expect(chooseBackend([ok(w2, 70), ok(w1, 50)], 'auto').candidate).toEqual(w1);
  });

  it('compares with a stopped backend as a lower bound', () => {
    const stopped: BackendMeasurement = { candidate: sw, ok: false, atLeastMs: 9000, note: 'stopped' };
    expect(chooseBackend([ok(w1, 60), stopped], 'auto').reason).toBe('wasm 1 thread: more than 150× faster than software WebGPU here');
  });

  it('takes a named backend as asked and tells what the fastest would give', () => {
    const c = chooseBackend([ok(w2, 40), ok(sw, 1520)], 'webgpu');
    expect(c.candidate).toEqual(sw);
    expect(c.reason).toBe('webgpu (software): chosen in Settings (1520 ms per probe step; wasm ×2 threads would be 38.0× faster)');
    expect(chooseBackend([], 'cpu').candidate).toEqual({ backend: 'cpu' });
  });

  it('fails with every backend named when none finished', () => {
    expect(() => chooseBackend([{ candidate: sw, ok: false, note: 'no adapter' }], 'auto')).toThrow(/webgpu \(software\): no adapter/);
  });

  it('merges fresh figures over stored ones and lists what is missing', () => {
    const stored = [ok(w1, 60), ok(sw, 1500)];
    expect(unmeasured([w2, w1, sw], stored)).toEqual([w2]);
    const merged = mergeMeasurements(stored, [ok(w2, 40), ok(w1, 55)]);
    expect(merged.map((m) => [candidateLabel(m.candidate), m.msPerStep])).toEqual([
      ['wasm 1 thread', 55],
      ['webgpu (software)', 1500],
      ['wasm ×2 threads', 40],
    ]);
  });

  it("probes at the run's batch (up to 8) and sequence, shortened for a wide model, and keeps figures per probe shape", () => {
    const demo = parseHfConfig(demoProbeConfig(), 'demo');
    const electra = parseHfConfig({ model_type: 'electra' }, 'electra-small');
    // The demo model is small enough to probe at its training shape, where the thread pool shows its gain.
    expect(probeFor(demo, DEMO_TRAINING_SHAPE)).toMatchObject({ batch: 8, seq: 192, steps: DEFAULT_PROBE.steps, minTimedMs: DEFAULT_PROBE.minTimedMs });
    expect(probeFor(demo, { batch: 32, seq: 384 })).toMatchObject({ batch: 8, seq: 384 });
    // ELECTRA-small (12 layers × 256 wide) at 8 × 384 is probed at 8 × 64: seconds, not a 40 s step.
    expect(probeFor(electra, { batch: 8, seq: 384 })).toMatchObject({ batch: 8, seq: 64 });
    expect(probeFor(electra, { batch: 2, seq: 384 })).toMatchObject({ batch: 2, seq: 256 });
    expect(probeFor(electra, { batch: 1, seq: 40 })).toMatchObject({ batch: 1, seq: 40 });
    // A huge model still gets a probe of 32 tokens a row.
    expect(probeFor({ numHiddenLayers: 48, hiddenSize: 2048, intermediateSize: 8192 }, { batch: 8, seq: 512 })).toMatchObject({ batch: 8, seq: 32 });
    expect(measurementKey(shapeKey(demo), probeFor(demo, DEMO_TRAINING_SHAPE))).toBe(`${shapeKey(demo)}@8x192`);
    expect(measurementKey('s', { batch: 8, seq: 64 })).not.toBe(measurementKey('s', { batch: 8, seq: 192 }));
  });

  it('gives later probes a deadline of 10× the best probe so far (20 s at least)', async () => {
    expect(probeDeadlineMs(undefined, DEFAULT_PROBE)).toBe(180_000);
    // 500 ms of warm-up and at least 1.5 s of timed steps.
    expect(probeDeadlineMs(ok(w1, 100, 500), DEFAULT_PROBE)).toBe(20_000);
    expect(probeDeadlineMs(ok(w1, 3000, 4000), DEFAULT_PROBE)).toBe(100_000);
    expect(probeDeadlineMs(ok(w1, 1000, 2000), { batch: 2, seq: 128, steps: 2 })).toBe(40_000);
    const deadlines: number[] = [];
    const out = await measureCandidates([w1, sw, { backend: 'cpu' }], { batch: 2, seq: 128, steps: 2 }, {
      async measure(c, deadline) {
        deadlines.push(deadline);
        if (c.backend === 'cpu') throw new Error('cpu refused');
        return ok(c, c.backend === 'wasm' ? 1000 : 3000, 2000);
      },
    });
    expect(deadlines).toEqual([180_000, 40_000, 40_000]);
    expect(out[2]).toEqual({ candidate: { backend: 'cpu' }, ok: false, note: 'cpu refused' });
  });
});

describe('stored figures', () => {
  it('keeps the preference and per device/shape measurements in IndexedDB, versioned and validated', async () => {
    const db = await openLabDB({ name: `backend-${Date.now()}` });
    expect(await readBackendPreference(db)).toBe('auto');
    await writeBackendPreference(db, 'wasm');
    expect(await readBackendPreference(db)).toBe('wasm');
    await expect(writeBackendPreference(db, 'tpu' as never)).rejects.toThrow(/Unknown backend preference/);
    const rec = { device: 'ua | 2 cores | swiftshader', shape: 'electra-L2', probe: DEFAULT_PROBE, measuredAt: '2026-12-07T00:00:00Z', measurements: [ok({ backend: 'wasm', threads: 2 }, 40)] };
    await writeMeasurements(db, rec);
    expect(await readMeasurements(db, rec.device, rec.shape)).toEqual({ version: 1, ...rec });
    expect(await readMeasurements(db, 'another browser', rec.shape)).toBeNull();
    // A damaged record is ignored (measured again), never trusted.
    await db.put('settings', { version: 1, device: rec.device, shape: 'bad', probe: DEFAULT_PROBE, measuredAt: 'x', measurements: [{ candidate: { backend: 'tpu' } }] }, `backend:measurements:${rec.device} || bad`);
    expect(await readMeasurements(db, rec.device, 'bad')).toBeNull();
    await db.put('settings', { version: 7, preference: 'cpu' }, 'backend:preference');
    expect(await readBackendPreference(db)).toBe('auto');
    await clearMeasurements(db);
    expect(await readMeasurements(db, rec.device, rec.shape)).toBeNull();
    db.close();
  });

  it('keeps the CLI figures in a cache file, ignoring a damaged one', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'backends-')), 'backends.json');
    const rec = { version: 1 as const, device: 'node | host', shape: 's', probe: DEFAULT_PROBE, measuredAt: 't', measurements: [ok({ backend: 'wasm', threads: 1 }, 60)] };
    expect(readCachedMeasurements('node | host', 's', file)).toBeNull();
    writeCachedMeasurements(rec, file);
    expect(readCachedMeasurements('node | host', 's', file)).toEqual(rec);
    expect(readCachedMeasurements('node | host', 'other', file)).toBeNull();
    writeFileSync(file, '{ not json');
    expect(readCachedMeasurements('node | host', 's', file)).toBeNull();
    writeCachedMeasurements(rec, file);
    expect(JSON.parse(readFileSync(file, 'utf8'))['node | host || s'].version).toBe(1);
  });
});

describe('the timed step in Node', () => {
  it('times the trainer step on wasm, leaving no tensor behind; a named backend is started without timing', async () => {
    await initNodeBackend('wasm');
    const before = tf.memory().numTensors;
    const m = await measureNodeBackend({ backend: 'wasm', threads: 1 }, demoProbeConfig(), { batch: 1, seq: 64, steps: 1 }, 60_000);
    expect(m.ok).toBe(true);
    expect(m.msPerStep).toBeGreaterThan(0);
    expect(m.note).toBe('batch 1 × 64, median of 1 timed step(s) after 1 warm-up');
    expect(tf.memory().numTensors).toBe(before);
    const lines: string[] = [];
    const cacheFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'backends-')), 'backends.json');
    expect((await chooseNodeBackend('wasm', demoProbeConfig(), DEMO_TRAINING_SHAPE, (l) => lines.push(l), { cacheFile })).backend).toBe('wasm');
    expect(lines).toEqual([]);
  });
});

describe('the probe', () => {
  it('keeps timing fast steps until they add up to minTimedMs, and reports their median', async () => {
    await initNodeBackend('wasm');
    const config = parseHfConfig({ ...demoProbeConfig(), num_hidden_layers: 1, hidden_size: 32, embedding_size: 32, intermediate_size: 64 });
    const t = await timeTrainingSteps(config, { batch: 1, seq: 32, steps: 2, minTimedMs: 300, maxSteps: 50 });
    expect(t.stepMs.length).toBeGreaterThan(2);
    expect(t.stepMs.length).toBeLessThanOrEqual(50);
    const sorted = [...t.stepMs].sort((a, b) => a - b);
    expect(t.medianMs).toBeGreaterThanOrEqual(sorted[0]);
    expect(t.medianMs).toBeLessThanOrEqual(sorted[sorted.length - 1]);
    const capped = await timeTrainingSteps(config, { batch: 1, seq: 32, steps: 2, minTimedMs: 60_000, maxSteps: 4 });
    expect(capped.stepMs).toHaveLength(4);
  });
});

describe('a probe stopped at its deadline', () => {
  const c = { backend: 'webgpu' as const, software: true };
  it('keeps the steps it finished', () => {
    const p = new ProbeProgress();
    p.record('warmup', 8000, 8000);
    p.record('step', 3000, 11000);
    expect(p.atDeadline(c, DEFAULT_PROBE, 20_000, 20_000)).toEqual({ candidate: c, ok: true, msPerStep: 3000, warmupMs: 8000, note: '1 of 2 timed step(s) before the 20 s deadline' });
  });
  it('gives the step in flight as a lower bound after the warm-up', () => {
    const p = new ProbeProgress();
    p.record('warmup', 12_000, 12_000);
    expect(p.atDeadline(c, DEFAULT_PROBE, 20_000, 20_000)).toMatchObject({ ok: false, atLeastMs: 8000, warmupMs: 12_000 });
  });
  it('says it never left the warm-up otherwise', () => {
    expect(new ProbeProgress().atDeadline(c, DEFAULT_PROBE, 20_000, 20_000)).toMatchObject({ ok: false, note: expect.stringContaining('still in its warm-up step') });
  });
});
