// pretrain-demo as a user runs it (a child process, tiny settings): it writes a base in Hugging
// Face layout, and train-demo --base fine-tunes from it; a base whose tokenizer does not fit its weights is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readSafetensors } from '../../src/domain/model/safetensors';

const run = promisify(execFile);
const cli = (script: string, args: string[]) => run(process.execPath, ['--import', 'tsx', path.resolve(__dirname, `../../src/cli/${script}.ts`), '--backend', 'wasm', ...args], { maxBuffer: 64 << 20 });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-pretrain-demo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = 'embedding_size=32,hidden_size=32,num_hidden_layers=1,num_attention_heads=2,intermediate_size=64';

describe('pretrain-demo', () => {
  it('writes a base that train-demo --base fine-tunes, in the layout Hugging Face loads', async () => {
    const out = path.join(dir, 'base');
    const { stdout } = await cli('pretrain-demo', ['--notes', '64', '--steps', '4', '--batch', '4', '--max-length', '96', '--shape', TINY, '--out', out]);
    const summary = JSON.parse(stdout) as { corpus: { notes: number; droppedAsDemo: number }; steps: number; finalLoss: number; seconds: number };
    expect(summary.corpus.notes).toBe(64);
    expect(summary.steps).toBe(4);
    expect(Number.isFinite(summary.finalLoss)).toBe(true);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ architectures: ['ElectraForQuestionAnswering'], model_type: 'electra', hidden_size: 32, num_hidden_layers: 1 });
    const weights = readSafetensors(new Uint8Array(readFileSync(path.join(out, 'model.safetensors'))));
    const names = [...weights.tensors.keys()];
    expect(names).toContain('electra.embeddings.word_embeddings.weight');
    expect(names.some((n) => n.startsWith('qa_outputs'))).toBe(false); // an encoder, as ELECTRA-small's discriminator: the QA head starts fresh
    expect(names.some((n) => n.startsWith('generator_'))).toBe(false); // the MLM head is not shipped
    expect(readFileSync(path.join(out, 'vocab.txt'), 'utf8').split('\n')).toContain('[MASK]');
    JSON.parse(readFileSync(path.join(out, 'tokenizer.json'), 'utf8'));
    JSON.parse(readFileSync(path.join(out, 'pretraining.json'), 'utf8'));

    const tuned = JSON.parse((await cli('train-demo', ['--base', out, '--shape', TINY, '--train-rows', '16', '--eval-rows', '8', '--epochs', '1', '--quiet'])).stdout) as { metrics: { eval_exact_match: number } };
    expect(tuned.metrics.eval_exact_match).toBeGreaterThanOrEqual(0);

    // A second stage, span selection, continues the base and keeps the first stage's recipe.
    const out2 = path.join(dir, 'base-span');
    const stage2 = JSON.parse((await cli('pretrain-demo', ['--objective', 'span-selection', '--init', out, '--notes', '32', '--steps', '4', '--max-length', '96', '--out', out2])).stdout) as { objective: string; steps: number; batch: number; corpus: { records: number }; finalLoss: number };
    expect(stage2.objective).toMatch(/^recurring span selection/);
    expect(stage2).toMatchObject({ steps: 4, batch: 8 });
    expect(stage2.corpus.records).toBeGreaterThan(32);
    expect(Number.isFinite(stage2.finalLoss)).toBe(true);
    const recipe2 = JSON.parse(readFileSync(path.join(out2, 'pretraining.json'), 'utf8')) as { previous: { objective: string; steps: number } };
    expect(recipe2.previous).toMatchObject({ objective: expect.stringMatching(/^masked-lm/), steps: 4 });
    const config2 = JSON.parse(readFileSync(path.join(out2, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config2).toMatchObject({ hidden_size: 32, num_hidden_layers: 1 });
    const names2 = [...readSafetensors(new Uint8Array(readFileSync(path.join(out2, 'model.safetensors')))).tensors.keys()];
    expect(names2.some((n) => n.startsWith('qa_outputs'))).toBe(false);
    const tuned2 = JSON.parse((await cli('train-demo', ['--base', out2, '--train-rows', '16', '--eval-rows', '8', '--epochs', '1', '--quiet'])).stdout) as { metrics: { eval_exact_match: number } };
    expect(tuned2.metrics.eval_exact_match).toBeGreaterThanOrEqual(0);

    // A tokenizer that does not fit the weights is refused by name, before any training.
    const tok = JSON.parse(readFileSync(path.join(out, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
    tok.model.vocab = Object.fromEntries(Object.entries(tok.model.vocab).filter(([, id]) => id < 200));
    writeFileSync(path.join(out, 'tokenizer.json'), JSON.stringify(tok));
    await expect(cli('train-demo', ['--base', out, '--shape', TINY, '--train-rows', '16', '--eval-rows', '8', '--quiet'])).rejects.toMatchObject({ stderr: expect.stringContaining('tokenizer.json has 200 tokens but config.json says vocab_size') });
  }, 240_000);
});
