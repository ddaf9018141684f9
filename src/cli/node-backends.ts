/** The tfjs backends Node can train on (tf-node.ts starts them), and `--backend`'s choices. */
export type NodeBackend = 'wasm' | 'cpu' | 'webgpu';
export type NodeBackendChoice = NodeBackend | 'auto';
export const NODE_BACKEND_CHOICES: readonly NodeBackendChoice[] = ['auto', 'wasm', 'cpu', 'webgpu'];
