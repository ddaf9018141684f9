import { SuiteError } from '../../domain/config/suites';
import { ConfigValidationError } from '../../domain/config/schema';
import { checkPrerequisites, type PrerequisiteReport } from '../../domain/config/prerequisites';
import type { ExperimentConfig, ExperimentSpec, TrainingConfig } from '../../domain/config/types';
import { planExperiments, type ExperimentPlan } from '../../domain/experiments/plan';
import type { ExperimentResult } from '../../domain/experiments/result';
import type { LabDatabase } from '../../storage/db';
import { listDatasets, type DatasetListing } from '../../storage/datasets';
import { listModels } from '../../storage/models';
import { listArtifacts } from '../../storage/artifacts';
import { listRuns } from '../../storage/queue';
import type { ModelRecord } from '../../storage/schema';
import { buildConfigs, defaultCombined, defaultForm, FormError, importConfigFiles, presetTrainingForm, type ExperimentForm, type ImportedConfig } from './experiments-form';
import { baseAppSettings, cartographyRunsAhead, resolveBindings, specsFor, throughputFromHistory, type ArtifactOption, type PastRun } from './experiments-specs';

/**
 * State of the Experiments section: the form (data, model, suite or custom builder or imported
 * configs, training overrides) turned into experiment specs, their prerequisites bound to stored
 * artifacts (or made by cartography runs queued ahead), the dry-run plan, and queueing. The
 * parsing and binding logic lives in experiments-form.ts and experiments-specs.ts.
 */

// ---------------------------------------------------------------------------------------------
// The section's state

export interface ExperimentsDeps {
  db: () => LabDatabase | null;
  /** Adds specs to the run queue as one suite (runner.enqueue). */
  enqueue: (label: string, specs: ExperimentSpec[]) => Promise<void>;
  /** The worker's tfjs backend, to compare throughput with runs on the same one. */
  backend?: () => string | undefined;
}

type BuildOutcome = { configs: ExperimentConfig[]; error: null } | { configs: ExperimentConfig[]; error: FormError };

function asFormError(e: unknown): FormError {
  if (e instanceof FormError) return e;
  if (e instanceof SuiteError || e instanceof ConfigValidationError) return new FormError('suite', e.message);
  return new FormError('suite', e instanceof Error ? e.message : String(e));
}

export class ExperimentsState {
  datasets = $state.raw<DatasetListing[]>([]);
  models = $state.raw<ModelRecord[]>([]);
  artifacts = $state.raw<ArtifactOption[]>([]);
  history = $state.raw<PastRun[]>([]);
  form = $state<ExperimentForm>(defaultForm());
  imported = $state.raw<ImportedConfig[]>([]);
  importErrors = $state.raw<string[]>([]);
  /** Requirement key → artifact id chosen in its selector ('' = none). Unset keys take the newest match. */
  choices = $state<Record<string, string>>({});
  /** Requirement keys whose cartography run is queued ahead of the suite. */
  ahead = $state<string[]>([]);
  showPlan = $state(false);
  queueing = $state(false);
  loadError = $state<string | null>(null);
  message = $state<{ kind: 'ok' | 'error'; text: string } | null>(null);
  loaded = $state(false);

  constructor(private readonly deps: ExperimentsDeps) {}

  readonly dataset = $derived(this.datasets.find((d) => d.id === this.form.datasetId) ?? null);
  readonly splitNames = $derived(this.dataset ? Object.keys(this.dataset.splits) : []);

  readonly build: BuildOutcome = $derived.by(() => {
    try {
      return { configs: buildConfigs(this.form, this.imported), error: null };
    } catch (e) {
      return { configs: [], error: asFormError(e) };
    }
  });

  /** Requirements of the experiments (unresolved: resolution is `bindings`). */
  readonly report: PrerequisiteReport = $derived(checkPrerequisites(this.build.configs));
  readonly bindings = $derived(resolveBindings(this.report, this.artifacts, this.form, this.choices, this.ahead));
  readonly missing = $derived(this.report.items.filter((i) => this.bindings.get(i.requirement.key)?.kind === 'missing'));
  readonly app = $derived(baseAppSettings(this.form, this.dataset));
  readonly specs = $derived(specsFor(this.build.configs, this.app, this.bindings));

  readonly aheadOutcome: { specs: ExperimentSpec[]; error: FormError | null } = $derived.by(() => {
    try {
      return { specs: cartographyRunsAhead(this.report, this.ahead, this.form, this.app), error: null };
    } catch (e) {
      return { specs: [], error: asFormError(e) };
    }
  });

  /** Everything "Queue" would add, in order: cartography runs first, then the experiments. */
  readonly allSpecs = $derived([...this.aheadOutcome.specs, ...this.specs]);

  readonly throughput = $derived.by(() => throughputFromHistory(this.history, this.form.modelSource, this.deps.backend?.()));

  readonly plan: ExperimentPlan = $derived(
    planExperiments(this.allSpecs, {
      throughput: this.throughput ?? undefined,
      splitRows: {
        train: this.dataset?.splits[this.form.trainSplit]?.rows,
        validation: this.dataset?.splits[this.form.evalSplit]?.rows,
      },
    }),
  );

  /** Why "Queue" is disabled, or null when it is not. */
  readonly blocked: string | null = $derived.by(() => {
    if (!this.deps.db()) return 'The local database is not open yet.';
    if (!this.dataset) return 'Choose a dataset.';
    if (!this.dataset.splits[this.form.trainSplit]) return `The dataset has no split "${this.form.trainSplit}".`;
    if (!this.dataset.splits[this.form.evalSplit]) return `The dataset has no split "${this.form.evalSplit}".`;
    if (this.build.error) return this.build.error.message;
    if (this.aheadOutcome.error) return this.aheadOutcome.error.message;
    if (this.build.configs.length === 0) return 'No experiments to queue.';
    if (this.missing.length) {
      const what = this.missing.map((m) => `${m.requirement.split}-split ${m.requirement.kind === 'cartography' ? 'cartography metrics' : 'cluster assignments'}`);
      return `Missing prerequisites: ${[...new Set(what)].join(', ')}. Bind a stored artifact or make it first (see Prerequisites).`;
    }
    if (this.queueing) return 'Queueing…';
    return null;
  });

  /** Loads datasets, models, artifacts and past runs; picks the demo dataset by default. */
  async load(): Promise<void> {
    const db = this.deps.db();
    if (!db) return;
    try {
      const [datasets, models] = await Promise.all([listDatasets(db), listModels(db)]);
      this.datasets = datasets;
      this.models = models;
      if (!datasets.some((d) => d.id === this.form.datasetId)) {
        const pick = datasets.find((d) => d.source === 'demo') ?? datasets[0];
        if (pick) this.applyDataset(pick);
      }
      if (this.form.modelSource.startsWith('model:') && !models.some((m) => `model:${m.id}` === this.form.modelSource)) this.form.modelSource = 'demo';
      await Promise.all([this.loadArtifacts(), this.loadHistory()]);
      this.loadError = null;
    } catch (e) {
      this.loadError = `Could not read the stored datasets, models or artifacts: ${e instanceof Error ? e.message : String(e)}`;
    }
    this.loaded = true;
  }

  /** Switches dataset: its splits become the defaults and its artifacts are listed. */
  async selectDataset(id: string): Promise<void> {
    const d = this.datasets.find((x) => x.id === id);
    if (!d) return;
    this.applyDataset(d);
    await this.loadArtifacts();
  }

  private applyDataset(d: DatasetListing): void {
    const splits = Object.keys(d.splits);
    this.form.datasetId = d.id;
    this.form.trainSplit = splits.includes('train') ? 'train' : (splits[0] ?? 'train');
    this.form.evalSplit = ['validation', 'test', 'dev'].find((s) => splits.includes(s)) ?? splits.find((s) => s !== this.form.trainSplit) ?? this.form.trainSplit;
    this.choices = {};
    this.ahead = [];
  }

  async loadArtifacts(): Promise<void> {
    const db = this.deps.db();
    if (!db || !this.form.datasetId) {
      this.artifacts = [];
      return;
    }
    const datasetId = this.form.datasetId;
    const [cart, clusters] = await Promise.all([listArtifacts(db, 'cartography', { datasetId }), listArtifacts(db, 'clusters', { datasetId })]);
    if (datasetId !== this.form.datasetId) return;
    this.artifacts = [
      ...cart.map((a) => ({ id: a.id, kind: 'cartography' as const, name: a.name, split: a.split, createdAt: a.createdAt, rows: a.data.metrics.length })),
      ...clusters.map((a) => ({ id: a.id, kind: 'clusters' as const, name: a.name, split: a.split, createdAt: a.createdAt, rows: a.data.assignments.length })),
    ];
  }

  private async loadHistory(): Promise<void> {
    const db = this.deps.db();
    if (!db) return;
    const [runs, experiments] = await Promise.all([listRuns(db), db.getAll('experiments')]);
    const byId = new Map(experiments.map((e) => [e.id, e]));
    const rowsOf = (source: string | undefined, split: string | undefined) => {
      const id = source?.startsWith('dataset:') ? source.slice('dataset:'.length) : undefined;
      const d = this.datasets.find((x) => x.id === id);
      return split && d ? d.splits[split]?.rows : undefined;
    };
    const out: PastRun[] = [];
    for (const run of runs) {
      const result = run.result as unknown as ExperimentResult;
      const exp = byId.get(run.experimentId);
      if (!exp || !result.success || typeof result.duration_seconds !== 'number') continue;
      const spec = exp.config as unknown as ExperimentSpec;
      if (!spec?.config || !spec.app) continue;
      out.push({
        spec,
        durationSeconds: result.duration_seconds,
        backend: result.backend,
        splitRows: { train: rowsOf(spec.app.data_source, spec.app.train_split ?? 'train'), validation: rowsOf(spec.app.data_source, spec.app.eval_split ?? 'validation') },
        createdAt: run.createdAt,
      });
    }
    this.history = out;
  }

  /** Python config.json files picked by the user. */
  async importFiles(files: File[]): Promise<void> {
    // A folder pick gives relative paths (baseline_ab12cd34/config.json): clearer than many "config.json".
    const read = await Promise.all(files.map(async (f) => ({ name: f.webkitRelativePath || f.name, text: await f.text() })));
    const { imported, errors } = importConfigFiles(read);
    const names = new Set(this.imported.map((i) => `${i.file}:${i.config_hash}`));
    this.imported = [...this.imported, ...imported.filter((i) => !names.has(`${i.file}:${i.config_hash}`))];
    this.importErrors = errors;
    this.form.mode = 'import';
  }

  removeImported(index: number): void {
    this.imported = this.imported.filter((_, i) => i !== index);
  }

  addCombination(): void {
    this.form.custom.combined.push(defaultCombined());
  }

  removeCombination(index: number): void {
    this.form.custom.combined.splice(index, 1);
  }

  /** Binds a requirement to a stored artifact ('' = none). */
  choose(key: string, artifactId: string): void {
    this.choices = { ...this.choices, [key]: artifactId };
    this.ahead = this.ahead.filter((k) => k !== key);
  }

  /** Queues (or un-queues) the cartography run that makes a requirement, ahead of the suite. */
  setAhead(key: string, on: boolean): void {
    this.ahead = on ? [...new Set([...this.ahead, key])] : this.ahead.filter((k) => k !== key);
  }

  /** Writes a training preset (e.g. DEMO_TRAINING) into the form; null goes back to the Python defaults. */
  applyTrainingPreset(name: string | null, t: Partial<TrainingConfig> = {}): void {
    this.form.training = name === null ? defaultForm().training : presetTrainingForm(name, t);
  }

  /** Adds the cartography runs ahead and the experiments to the run queue as one suite. */
  async queue(): Promise<boolean> {
    if (this.blocked) return false;
    const specs = $state.snapshot(this.allSpecs) as ExperimentSpec[];
    const label = this.form.mode === 'suite' ? this.form.suite : this.form.mode === 'custom' ? 'custom' : 'imported';
    this.queueing = true;
    this.message = null;
    try {
      await this.deps.enqueue(label, specs);
      this.ahead = [];
      this.message = { kind: 'ok', text: `Queued ${specs.length} experiment${specs.length === 1 ? '' : 's'}.` };
      return true;
    } catch (e) {
      this.message = { kind: 'error', text: `Could not queue: ${e instanceof Error ? e.message : String(e)}` };
      return false;
    } finally {
      this.queueing = false;
    }
  }
}
