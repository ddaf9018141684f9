#!/usr/bin/env node
// `npm test`: unit tests (Vitest, Node), then a production build and the end-to-end tests
// (Playwright on the system Chromium). Ends with one plain line "N passed, N failed[, N skipped]"
// summing every suite, and exits non-zero if anything failed or a suite could not run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const tmp = '.tmp';
mkdirSync(tmp, { recursive: true });
const only = process.argv[2]; // "unit" | "e2e" | undefined (both)
let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;

function run(cmd, args, env = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

if (only !== 'e2e') {
  const out = `${tmp}/unit-results.json`;
  rmSync(out, { force: true });
  const code = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  const r = readJson(out);
  if (!r) {
    console.error('Unit tests produced no report.');
    broken = true;
  } else {
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    // A suite that fails to load counts no tests but must still fail the run.
    if (code !== 0 && r.numFailedTests === 0) broken = true;
  }
}

if (only !== 'unit') {
  if (run('npx', ['vite', 'build', '--logLevel', 'warn']) !== 0) {
    console.error('Build failed: end-to-end tests not run.');
    broken = true;
  } else {
    const out = `${tmp}/e2e-results.json`;
    rmSync(out, { force: true });
    const code = run('npx', ['playwright', 'test']);
    const r = readJson(out);
    if (!r) {
      console.error('End-to-end tests produced no report.');
      broken = true;
    } else {
      passed += r.stats.expected + (r.stats.flaky ?? 0);
      failed += r.stats.unexpected;
      skipped += r.stats.skipped;
      if (code !== 0 && r.stats.unexpected === 0) broken = true;
    }
  }
}

if (broken && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
