/**
 * Which backend trains, chosen by measurement: each candidate (webgpu, wasm with threads, wasm on
 * one thread, webgl, cpu) times the trainer's step with the op mix of the model about to train, in
 * a throw-away worker; the fastest wins unless Settings names one. Figures are kept per browser,
 * device and model shape in IndexedDB, and re-measured on request or for a model of another shape.
 */
import type { LabDatabase } from '../../storage/db';
import { clearMeasurements, deviceKey, readBackendPreference, readMeasurements, writeBackendPreference, writeMeasurements } from '../../storage/backend-settings';
import {
  BACKEND_PREFERENCES,
  candidateKey,
  candidateLabel,
  candidatesFor,
  chooseBackend,
  measurementKey,
  mergeMeasurements,
  measureCandidates,
  probeFor,
  shapeKey,
  unmeasured,
  wasmThreadsFor,
  type BackendCandidate,
  type BackendChoice,
  type BackendMeasurement,
  type BackendPreference,
  type ProbeSetup,
  type TrainingShape,
} from '../../domain/compute/backend-choice';
import { parseHfConfig } from '../../domain/model/config';
import { demoProbeConfig, DEMO_TRAINING_SHAPE } from '../../domain/train/demo-settings';
import { measureInFreshWorker, spawnProbeWorker } from '../../worker/backend-probe';
import type { AdapterInfo, BackendReport } from '../../worker/protocol';
import type { Capabilities } from '../../domain/compute/backend-choice';
import { getWorker, holdWorkerUntil, restartWorker } from '../worker';
import { browserCapabilities } from '../../worker/capabilities';

/** `?backend=wasm` in the address forces a backend for this page load (links, tests) without changing Settings. */
function urlOverride(): BackendPreference | null {
  const v = new URLSearchParams(location.search).get('backend');
  return v && (BACKEND_PREFERENCES as readonly string[]).includes(v) ? (v as BackendPreference) : null;
}

export class BackendState {
  preference = $state<BackendPreference>('auto');
  /** Set when the address names a backend: Settings shows it, and it wins over the stored preference. */
  override = $state<BackendPreference | null>(null);
  measurements = $state<BackendMeasurement[]>([]);
  measuredAt = $state<string | null>(null);
  /** The model shape the measurements are for. */
  shape = $state<string | null>(null);
  /** The probe's batch × sequence (the run's, shortened for a large model). */
  probe = $state<ProbeSetup | null>(null);
  /** The candidate being timed now, e.g. "wasm ×2 threads (1 of 5)". */
  measuring = $state<string | null>(null);
  choice = $state<BackendChoice | null>(null);
  report = $state<BackendReport | null>(null);
  error = $state<string | null>(null);
  isolated = $state(false);
  hardwareConcurrency = $state(1);
  private caps: (Capabilities & { adapter: AdapterInfo | null }) | null = null;
  private db: LabDatabase | null = null;
  private running: BackendCandidate | null = null;
  private busy: Promise<unknown> = Promise.resolve();

  get effective(): BackendPreference {
    return this.override ?? this.preference;
  }

  /** Threads the threaded wasm build would get here (1 when the page is not cross-origin isolated). */
  get wasmThreads(): number {
    return this.isolated ? wasmThreadsFor(this.hardwareConcurrency) : 1;
  }

  /** Reads the preference and measurements, measures what is missing (auto) and starts the training worker. */
  start(db: LabDatabase | null): Promise<void> {
    this.db = db;
    this.override = urlOverride();
    return this.serial(async () => {
      if (db) this.preference = await readBackendPreference(db);
      await this.apply(demoProbeConfig(), DEMO_TRAINING_SHAPE);
    });
  }

  /**
   * Before a run: a model of another shape, or a run at another batch × sequence, is measured
   * (auto) and may move training to another backend.
   */
  ensureFor(configJson: Record<string, unknown>, training: TrainingShape): Promise<void> {
    return this.serial(() => this.apply(configJson, training));
  }

  setPreference(p: BackendPreference): Promise<void> {
    return this.serial(async () => {
      this.preference = p;
      this.override = null;
      if (this.db) await writeBackendPreference(this.db, p);
      await this.apply(...this.last());
    });
  }

  /** Forgets the stored figures and times every candidate again. */
  remeasure(): Promise<void> {
    return this.serial(async () => {
      if (this.db) await clearMeasurements(this.db);
      this.measurements = [];
      await this.apply(...this.last(), true);
    });
  }

  private lastConfig: Record<string, unknown> | null = null;
  private lastTraining: TrainingShape | null = null;

  private last(): [Record<string, unknown>, TrainingShape] {
    return [this.lastConfig ?? demoProbeConfig(), this.lastTraining ?? DEMO_TRAINING_SHAPE];
  }

  private serial(f: () => Promise<void>): Promise<void> {
    const next = this.busy.then(f, f);
    this.busy = next.catch(() => undefined);
    holdWorkerUntil(this.busy);
    return next;
  }

  private async apply(configJson: Record<string, unknown>, training: TrainingShape, fresh = false): Promise<void> {
    this.error = null;
    try {
      this.lastConfig = configJson;
      this.lastTraining = training;
      this.caps ??= await browserCapabilities();
      this.isolated = this.caps.wasmThreads;
      this.hardwareConcurrency = this.caps.hardwareConcurrency;
      const config = parseHfConfig(configJson, 'model config.json');
      const probe = probeFor(config, training);
      const shape = measurementKey(shapeKey(config), probe);
      const device = deviceKey({ userAgent: navigator.userAgent, hardwareConcurrency: this.caps.hardwareConcurrency, adapter: this.caps.adapter?.description || this.caps.adapter?.vendor });
      const candidates = candidatesFor(this.caps);
      const stored = this.db && !fresh ? await readMeasurements(this.db, device, shape) : null;
      let ms = stored?.measurements.filter((m) => candidates.some((c) => candidateKey(c) === candidateKey(m.candidate))) ?? [];
      this.shape = shape;
      this.probe = probe;
      this.measuredAt = stored?.measuredAt ?? null;
      const pref = this.effective;
      if (pref === 'auto') {
        let missing = unmeasured(candidates, ms);
        // wasm variants are compared side by side, in one page load under the same load: when one
        // is new (threads after the page became isolated), the others are timed again with it.
        if (missing.some((c) => c.backend === 'wasm')) {
          missing = candidates.filter((c) => c.backend === 'wasm' || missing.includes(c));
          ms = ms.filter((m) => m.candidate.backend !== 'wasm');
        }
        if (missing.length) {
          const fresh = await measureCandidates(missing, probe, {
            measure: (c, deadline) => measureInFreshWorker(spawnProbeWorker, c, configJson, probe, deadline),
            onCandidate: (c, i, n) => (this.measuring = `${candidateLabel(c)} (${i + 1} of ${n})`),
          }, ms);
          ms = mergeMeasurements(ms, fresh);
          this.measuredAt = new Date().toISOString();
          if (this.db) await writeMeasurements(this.db, { device, shape, probe, measuredAt: this.measuredAt, measurements: ms });
        }
      }
      this.measuring = null;
      this.measurements = ms;
      const choice = chooseBackend(ms, pref);
      // A named wasm with no figures: the threaded build when the page allows it.
      if (pref === 'wasm' && !choice.measured) choice.candidate = { backend: 'wasm', threads: this.wasmThreads };
      if (pref === 'webgpu' && this.caps.webgpu) choice.candidate = { backend: 'webgpu', software: this.caps.webgpu.software };
      if (this.override) choice.reason = `${candidateLabel(choice.candidate)}: named in the address (?backend=${this.override})`;
      if (choice.candidate.backend === 'wasm' && (choice.candidate.threads ?? 1) === 1 && !this.isolated) {
        choice.reason += '; one thread only: this page load is not cross-origin isolated yet (reload once to enable threads)';
      }
      this.choice = choice;
      await this.startTraining(choice);
    } catch (e) {
      this.measuring = null;
      this.error = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }

  private async startTraining(choice: BackendChoice): Promise<void> {
    const same = this.running && candidateKey(this.running) === candidateKey(choice.candidate);
    const client = same || !this.running ? getWorker() : restartWorker();
    this.running = choice.candidate;
    const report = await client.call('init', { candidate: $state.snapshot(choice.candidate) as BackendCandidate, reason: choice.reason });
    this.report = { ...report, reason: choice.reason };
  }
}
