// Every unit test runs in Node with an in-memory IndexedDB; tests that need tfjs call
// initNodeBackend() from src/cli/tf-node.ts themselves (wasm by default, cpu where a kernel is missing).
import 'fake-indexeddb/auto';

// The CLI caches measured backend step times under $XDG_CACHE_HOME: never the user's own cache.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
process.env.XDG_CACHE_HOME = mkdtempSync(path.join(tmpdir(), 'qa-lab-cache-'));
