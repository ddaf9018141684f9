#!/usr/bin/env node
// Import benchmark: generates a JSON Lines file the size of emrQA-msquad's train split (131k rows,
// realistic lengths, no ids: every id is hashed as in the Python system), builds a small page that
// runs the app's import worker (src/worker/import.worker.ts) with Vite, and imports the file in
// headless Chromium into IndexedDB. Prints JSON: rows, seconds, rowsPerSecond, peakJsHeapMB (the
// import worker's peak used JS heap, sampled over CDP) and peakPageHeapMB.
//
// Usage: npm run bench:import [-- --rows 131000] ; CHROMIUM=/path/to/chromium to override the browser.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { withBenchPage } from './bench-page.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const argRows = process.argv.indexOf('--rows');
const ROWS = argRows > 0 ? Number(process.argv[argRows + 1]) : 131_000;
const TARGET_SECONDS = 30;

// ---- data: deterministic, emrQA-like lengths (contexts ~80–200 words, short answers) ----------
function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}
const MEDS = ['lisinopril', 'metoprolol', 'furosemide', 'metformin', 'insulin glargine', 'atorvastatin', 'aspirin', 'warfarin', 'amlodipine', 'levothyroxine', 'omeprazole', 'prednisone', 'vancomycin', 'ceftriaxone', 'gabapentin', 'heparin', 'potassium chloride', 'carvedilol', 'digoxin', 'sertraline'];
const DOSES = ['5 mg', '10 mg', '20 mg', '40 mg', '81 mg', '500 mg', '1 g', '12.5 mg', '25 mg', '100 mcg', '20 mEq', '10 units'];
const FREQ = ['daily', 'twice daily', 'at bedtime', 'every 6 hours as needed', 'three times daily', 'every 12 hours'];
const REASONS = ['hypertension', 'atrial fibrillation', 'fluid overload', 'type 2 diabetes', 'hyperlipidemia', 'hypothyroidism', 'pneumonia', 'cellulitis', 'neuropathic pain', 'hypokalemia'];
const FILLER = ['The patient tolerated the regimen without complications.', 'Vital signs remained stable throughout the admission.', 'Renal function was monitored closely during the stay.', 'Physical therapy evaluated the patient and recommended home exercises.', 'The family was updated on the plan of care at the bedside.', 'Nutrition consult was obtained for dietary counseling.', 'Telemetry showed no further events overnight.', 'Follow-up with cardiology was arranged after discharge.'];

async function writeDataset(path, n) {
  const rnd = lcg(20240417);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    const parts = [`Patient ${i} is a ${30 + Math.floor(rnd() * 60)}-year-old admitted with ${pick(REASONS)}.`];
    const meds = [];
    for (let k = 0; k < 2 + Math.floor(rnd() * 3); k++) {
      const m = { name: pick(MEDS), dose: pick(DOSES), freq: pick(FREQ), reason: pick(REASONS) };
      meds.push(m);
      parts.push(`${rnd() < 0.5 ? 'He' : 'She'} was started on ${m.name} ${m.dose} ${m.freq} for ${m.reason}.`);
      for (let f = 0; f < 1 + Math.floor(rnd() * 2); f++) parts.push(pick(FILLER));
    }
    const context = parts.join(' ');
    const m = meds[Math.floor(rnd() * meds.length)];
    const kind = Math.floor(rnd() * 3);
    const [question, text] = kind === 0 ? [`What is the dosage of ${m.name}?`, `${m.name} ${m.dose}`] : kind === 1 ? [`Why was the patient given ${m.name}?`, m.reason] : [`Has the patient ever been on ${m.name}?`, `${m.name} ${m.dose} ${m.freq}`];
    const start = context.indexOf(text);
    const row = { context, question, answers: { text: [text], answer_start: [start], answer_end: [start + text.length] } };
    if (!out.write(JSON.stringify(row) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'qa-import-bench-'));
  const dataPath = join(work, 'emrqa-train.jsonl');
  try {
    const g0 = performance.now();
    await writeDataset(dataPath, ROWS);
    const fileBytes = statSync(dataPath).size;
    process.stderr.write(`generated ${ROWS} rows, ${(fileBytes / 1e6).toFixed(1)} MB in ${((performance.now() - g0) / 1000).toFixed(1)} s\n`);

    const route = (path, res) => {
      if (path !== '/data.jsonl') return false;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(fileBytes) });
      createReadStream(dataPath).pipe(res);
      return true;
    };
    await withBenchPage({ html: 'import-bench.html', route }, async ({ browser, url, openPage }) => {
      const page = await openPage();

      // The worker's heap, over the browser-level CDP session (Playwright has no handle on worker targets' CDP).
      const cdp = await browser.newBrowserCDPSession();
      const { targetInfos } = await cdp.send('Target.getTargets');
      const workerTarget = targetInfos.find((t) => t.type === 'worker');
      if (!workerTarget) throw new Error('the import worker target was not found');
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: workerTarget.targetId, flatten: false });
      let msgId = 0;
      const waiting = new Map();
      cdp.on('Target.receivedMessageFromTarget', (ev) => {
        if (ev.sessionId !== sessionId) return;
        const msg = JSON.parse(ev.message);
        waiting.get(msg.id)?.(msg.result);
        waiting.delete(msg.id);
      });
      const workerHeap = () =>
        new Promise((r) => {
          const id = ++msgId;
          waiting.set(id, r);
          cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) }).catch(() => r(null));
        });
      const pageCdp = await page.context().newCDPSession(page);
      await pageCdp.send('Performance.enable');

      let peakWorker = 0;
      let peakPage = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const w = await workerHeap();
          if (w?.usedSize) peakWorker = Math.max(peakWorker, w.usedSize);
          const { metrics } = await pageCdp.send('Performance.getMetrics');
          const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
          peakPage = Math.max(peakPage, used);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();

      const res = await page.evaluate(([url, name]) => window.runImportBench(url, name), [new URL('/data.jsonl', url).href, 'emrqa-train.jsonl']);
      sampling = false;
      await sampler;
      const result = {
        rows: res.rows,
        seconds: Number(res.seconds.toFixed(2)),
        rowsPerSecond: Math.round(res.rows / res.seconds),
        peakJsHeapMB: Number((peakWorker / 2 ** 20).toFixed(1)),
        peakPageHeapMB: Number((peakPage / 2 ** 20).toFixed(1)),
        fileMB: Number((fileBytes / 2 ** 20).toFixed(1)),
        skippedRows: res.skipped,
        targetSeconds: TARGET_SECONDS,
        withinTarget: res.seconds < TARGET_SECONDS,
      };
      console.log(JSON.stringify(result));
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
