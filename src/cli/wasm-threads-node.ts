/**
 * Threaded tfjs-wasm in Node. tfjs turns threads off under Node (its WASM_HAS_MULTITHREAD_SUPPORT
 * flag is false there, tensorflow/tfjs#3830), and forcing the flag on fails: tfjs hands Emscripten
 * the pthread script and the main script as Blob URLs, which Node's worker_threads can neither
 * start nor `importScripts` (they take file paths). The threaded build itself supports Node, so
 * this writes both scripts to a temporary folder and answers tfjs's Blob URLs with those paths.
 * tfjs also caps its pool at half the logical cores; the core count is raised while the module starts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

let scripts: { main: string; worker: string } | null = null;

function writeScripts(): { main: string; worker: string } {
  if (scripts) return scripts;
  const require = createRequire(import.meta.url);
  const out = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const { wasmWorkerContents } = require(path.join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qa-lab-wasm-threads-'));
  const main = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const worker = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  writeFileSync(main, readFileSync(path.join(out, 'tfjs-backend-wasm-threaded-simd.js')));
  // In the pthread, the main script arrives as a Blob it would turn into a URL to read: read the file.
  writeFileSync(worker, `URL.createObjectURL = () => ${JSON.stringify(main)};\n${wasmWorkerContents.replace(/\n/g, '\\n')}`);
  scripts = { main, worker };
  return scripts;
}

/**
 * Starts tfjs' wasm backend in this process with `threads` XNNPACK threads (worker_threads). Must be
 * called before the wasm backend first initialises. Returns the thread count the pool got.
 */
export async function startThreadedWasm(threads: number): Promise<void> {
  const { worker } = writeScripts();
  const createObjectURL = URL.createObjectURL.bind(URL);
  // tfjs asks for the pthread script as a Blob of type application/javascript.
  URL.createObjectURL = (obj: Blob | MediaSource) => (obj instanceof Blob && obj.type === 'application/javascript' ? worker : createObjectURL(obj as Blob));
  const cpus = os.cpus;
  const one = cpus()[0];
  os.cpus = () => Array.from({ length: 2 * threads }, () => one);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('threaded wasm failed to initialise');
    await tf.ready();
  } finally {
    os.cpus = cpus;
  }
}
