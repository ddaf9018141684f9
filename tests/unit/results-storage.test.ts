import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLabDB, type LabDatabase } from '../../src/storage/db';
import { buildExperimentFolder, readExperimentZip, zipFolder, type FolderEntry } from '../../src/domain/experiments/folder';
import { saveModel } from '../../src/storage/models';
import {
  configTextsOf,
  deleteImport,
  ImportNameTakenError,
  importNameTaken,
  listImports,
  loadRunOutputs,
  loadStoredRuns,
  loadTrainerOutputs,
  parseLogHistory,
  runOutputsId,
  saveImportedFolder,
} from '../../src/storage/results';
import { entriesFromStored } from '../../src/ui/state/results-rows';
import { craftedFolderExperiments } from '../helpers/results-suite';

let db: LabDatabase;
let n = 0;
beforeEach(async () => {
  db = await openLabDB({ name: `results-storage-${n++}` });
});
afterEach(() => db.close());

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

/** A Python-layout folder of the crafted suite, with trainer_output files on the first experiment. */
function folderFiles(): FolderEntry[] {
  const exps = craftedFolderExperiments();
  exps[0].trainer_output = {
    eval_predictions: [{ id: 'a1', context: 'c', question: 'q', answers: { text: ['x'], answer_start: [0] }, predicted_answer: 'x' }],
    model_config: { model_type: 'electra' },
    model_safetensors: new Uint8Array([1, 2, 3, 4, 5]),
    extra: [{ path: 'trainer_state.json', bytes: enc(JSON.stringify({ log_history: [{ loss: 2.5, learning_rate: 5e-5, epoch: 0.5, step: 10 }, { eval_f1: 40, eval_exact_match: 30, step: 20 }, { epoch: 1 }] })) }],
  };
  return buildExperimentFolder(exps, { root: 'experiments', now: '2026-11-25T12:00:00' });
}

async function counts(): Promise<Record<string, number>> {
  return { runs: await db.count('runs'), experiments: await db.count('experiments'), artifacts: await db.count('artifacts') };
}

describe('importing an experiments folder', () => {
  it('stores every experiment as a run of "import:<name>", in one go, with trainer files and the log history', async () => {
    const files = folderFiles();
    const folder = readExperimentZip(zipFolder(files), 'python.zip');
    expect(folder.problems).toEqual([]);
    const saved = await saveImportedFolder(db, folder, ' python-run ', { configTexts: configTextsOf(files, folder), now: '2026-11-25T12:00:00Z' });
    expect(saved.suiteId).toBe('import:python-run');
    expect(saved.runIds).toHaveLength(10);
    // Every successful run has an eval_metrics.json in its trainer_output; the failed one has none.
    expect(await counts()).toEqual({ runs: 10, experiments: 10, artifacts: 9 });
    expect(await importNameTaken(db, 'python-run')).toBe(true);
    expect(await listImports(db)).toEqual([{ name: 'python-run', suiteId: 'import:python-run', runs: 10 }]);

    const { entries, problems } = entriesFromStored(await loadStoredRuns(db));
    expect(problems).toEqual([]);
    expect(entries).toHaveLength(10);
    expect(entries.every((e) => e.imported && e.source === 'import:python-run')).toBe(true);
    expect(entries[0].analysis).toMatchObject({ experiment_name: 'baseline_seed42', seed: 42, eval_f1: 60 });

    const baselineRun = entries.find((e) => e.result.experiment_name === 'baseline_seed42')!.runId;
    const failedRun = entries.find((e) => !e.result.success)!.runId;
    const outputs = await loadRunOutputs(db, [baselineRun, failedRun]);
    expect([...outputs.keys()]).toEqual([baselineRun]);
    // The entry without a step is left out and said so.
    expect(outputs.get(baselineRun)!.logHistory).toEqual([{ step: 10, loss: 2.5, learning_rate: 5e-5 }, { step: 20, eval_f1: 40 }]);
    expect(saved.notes).toEqual(['experiments/baseline_seed42_fbbd52a9/trainer_output/trainer_state.json: 1 log history entry has no valid step and was left out']);
    expect(Object.keys(outputs.get(baselineRun)!.trainerFiles).sort()).toEqual(['config.json', 'eval_metrics.json', 'eval_predictions.jsonl', 'model.safetensors', 'trainer_state.json']);

    const { files: trainer } = await loadTrainerOutputs(db, [baselineRun], { includeWeights: false });
    const t = trainer.get(baselineRun)!;
    expect(t.model_safetensors).toBeUndefined();
    expect(dec(t.eval_predictions as Uint8Array)).toContain('"predicted_answer": "x"');
    expect(t.extra?.map((e) => e.path)).toEqual(['trainer_state.json']);
    expect((await loadTrainerOutputs(db, [baselineRun])).files.get(baselineRun)!.model_safetensors).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
  });

  it('refuses a taken name without touching the earlier import, and replaces it when asked', async () => {
    const files = folderFiles();
    const folder = readExperimentZip(zipFolder(files));
    await saveImportedFolder(db, folder, 'py');
    const before = await counts();
    const smaller = { ...folder, experiments: folder.experiments.slice(0, 2) };
    await expect(saveImportedFolder(db, smaller, 'py')).rejects.toBeInstanceOf(ImportNameTakenError);
    expect(await counts()).toEqual(before);
    await saveImportedFolder(db, smaller, 'py', { replace: true, keepTrainerFiles: false });
    expect(await counts()).toEqual({ runs: 2, experiments: 2, artifacts: 1 });
    expect(await deleteImport(db, 'py')).toBe(2);
    expect(await counts()).toEqual({ runs: 0, experiments: 0, artifacts: 0 });
  });

  it('writes nothing when a record fails half way (one transaction)', async () => {
    const folder = readExperimentZip(zipFolder(folderFiles()));
    // A value IndexedDB cannot clone, in the last experiment's files: the put of its outputs throws.
    const last = folder.experiments[folder.experiments.length - 1];
    last.trainer_output = { 'bad.bin': (() => 0) as unknown as Uint8Array };
    await expect(saveImportedFolder(db, folder, 'broken')).rejects.toThrow();
    expect(await counts()).toEqual({ runs: 0, experiments: 0, artifacts: 0 });
  });

  it('reads the log history from the last checkpoint when trainer_output has no top-level trainer_state.json', async () => {
    const exps = craftedFolderExperiments().slice(0, 1);
    const state = (step: number) => enc(JSON.stringify({ log_history: [{ loss: 1 / step, step }] }));
    exps[0].trainer_output = { extra: [{ path: 'checkpoint-5/trainer_state.json', bytes: state(5) }, { path: 'checkpoint-20/trainer_state.json', bytes: state(20) }] };
    const folder = readExperimentZip(zipFolder(buildExperimentFolder(exps, { now: '2026-11-25T12:00:00' })));
    const saved = await saveImportedFolder(db, folder, 'ckpt', { keepTrainerFiles: false });
    expect((await loadRunOutputs(db, saved.runIds)).get(saved.runIds[0])!.logHistory).toEqual([{ step: 20, loss: 0.05 }]);
  });

  it('rejects an empty folder and an empty name', async () => {
    const folder = readExperimentZip(zipFolder([{ path: 'x/readme.txt', bytes: enc('hi') }]));
    await expect(saveImportedFolder(db, folder, 'x')).rejects.toThrow(/no experiment with a readable results.json/);
    await expect(saveImportedFolder(db, readExperimentZip(zipFolder(folderFiles())), '  ')).rejects.toThrow(/needs a name/);
  });
});

describe('run outputs written by the experiment worker', () => {
  it('joins predictions with the stored eval rows and takes config and weights from the stored model', async () => {
    await db.put('datasets', { id: 'd1', name: 'demo', source: 'demo', splits: { validation: { rows: 2, chunks: 1, bytes: 10 } }, createdAt: '' });
    await db.put('examples', {
      datasetId: 'd1',
      split: 'validation',
      chunk: 0,
      rows: [
        { id: 'e1', title: 'T', context: 'alpha beta', question: 'which?', answers: { text: ['beta'], answer_start: [6] }, noise: 'shifted_span' },
        { id: 'e2', context: 'gamma', question: 'what?', answers: { text: ['gamma'], answer_start: [0] } },
      ],
    });
    await saveModel(db, { id: 'run:r1', name: 'm', source: 'run:r1', createdAt: '', config: { model_type: 'electra', hidden_size: 8 }, bytes: 3 }, { name: 'model.safetensors', bytes: new Uint8Array([9, 8, 7]).buffer });
    await db.put('artifacts', {
      id: runOutputsId('r1'),
      kind: 'run-outputs',
      name: 'outputs',
      datasetId: 'd1',
      split: 'validation',
      createdAt: '',
      producedBy: 'r1',
      data: {
        logHistory: [{ step: 1, epoch: 0.1, loss: 3.2 }, { step: 2, eval_f1: 12.5, eval_exact_match: 10 }],
        predictions: [{ id: 'e1', predicted_answer: 'beta' }, { id: 'zz', predicted_answer: 'q' }],
        filters: [],
        messages: [],
        modelId: 'run:r1',
        datasetId: 'd1',
        evalSplit: 'validation',
      },
    });
    // Found by producedBy when its id is something else.
    await db.put('artifacts', { id: 'other-id', kind: 'run-outputs', name: 'o', datasetId: '', split: '', createdAt: '', producedBy: 'r2', data: { logHistory: [{ step: 5, loss: 1 }] } });

    const outputs = await loadRunOutputs(db, ['r1', 'r2', 'r3']);
    expect([...outputs.keys()].sort()).toEqual(['r1', 'r2']);
    expect(outputs.get('r1')!.logHistory).toEqual([{ step: 1, loss: 3.2 }, { step: 2, eval_f1: 12.5 }]);
    expect(outputs.get('r2')!.logHistory).toEqual([{ step: 5, loss: 1 }]);

    const { files, notes } = await loadTrainerOutputs(db, ['r1', 'r3']);
    const t = files.get('r1')!;
    expect(t.eval_predictions).toEqual([
      { id: 'e1', title: 'T', context: 'alpha beta', question: 'which?', answers: { text: ['beta'], answer_start: [6] }, predicted_answer: 'beta' },
      { id: 'zz', predicted_answer: 'q' },
    ]);
    expect(JSON.parse(dec(t.model_config as Uint8Array))).toEqual({ model_type: 'electra', hidden_size: 8 });
    expect(t.model_safetensors).toEqual(new Uint8Array([9, 8, 7]));
    expect(files.has('r3')).toBe(false);
    expect(notes).toEqual(['r1: 1 prediction id(s) are not in the stored eval split; written with id and predicted_answer only']);
  });

  it('says what it leaves out when the dataset or the model is gone', async () => {
    await db.put('artifacts', {
      id: runOutputsId('r1'),
      kind: 'run-outputs',
      name: 'o',
      datasetId: 'gone',
      split: 'validation',
      createdAt: '',
      data: { logHistory: 'nope', predictions: [{ id: 'e1', predicted_answer: 'a' }, { id: 3 }], modelId: 'run:gone', datasetId: 'gone', evalSplit: 'validation' },
    });
    const { files, notes } = await loadTrainerOutputs(db, ['r1']);
    expect(files.get('r1')!.eval_predictions).toEqual([{ id: 'e1', predicted_answer: 'a' }]);
    expect(notes).toEqual([
      'run outputs of r1: 1 prediction(s) without a string id and predicted_answer were left out',
      'run outputs of r1: log history is not a list; curves left out',
      'r1: the evaluated dataset is no longer stored; eval_predictions.jsonl has only id and predicted_answer',
      'r1: its trained model run:gone is no longer stored; config.json and weights left out',
    ]);
  });

  it('parses HF log history defensively', () => {
    const notes: string[] = [];
    expect(parseLogHistory([{ step: 0, loss: 1, eval_f1: Number.NaN }, { step: -1 }, null, { step: 3, learning_rate: 1e-5, grad_norm: 2 }], 'x', notes)).toEqual([
      { step: 0, loss: 1 },
      { step: 3, learning_rate: 1e-5 },
    ]);
    expect(notes).toEqual(['x: 2 log history entries have no valid step and were left out']);
    expect(parseLogHistory(undefined, 'x', notes)).toEqual([]);
  });
});
