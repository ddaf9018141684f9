// Every unit test runs in Node with an in-memory IndexedDB; tests that need tfjs call
// initNodeBackend() from src/cli/tf-node.ts themselves (wasm by default, cpu where a kernel is missing).
import 'fake-indexeddb/auto';
