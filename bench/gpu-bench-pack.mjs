// Packs the GPU bench (bench/gpu-bench.ts) into one folder that runs on a machine with a GPU, no
// network and no npm: the bench bundled into one file (tfjs, our kernels and trainer step), Dawn
// for Node's native module for linux-x64, the Chromium bench page built beforehand, the PyTorch
// bench and its plain-PyTorch peer model, the parity fixture the peer is checked against, and a
// run.sh. Optionally the Node binary (--with-node, xz-compressed) and playwright-core
// (--with-chromium, for a machine that has a Chromium). About 35 MB without either.
//
//   node bench/gpu-bench-pack.mjs [--out DIR] [--with-node] [--with-chromium]
//   (default DIR: .tmp/gpu-bench-pack); then on the GPU machine: sh DIR/run.sh [gpu-bench flags]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const outIdx = argv.indexOf('--out');
const OUT = resolve(outIdx >= 0 ? argv[outIdx + 1] : join(ROOT, '.tmp', 'gpu-bench-pack'));
const require = createRequire(import.meta.url);
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));

rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'node_modules'), { recursive: true });

// 1. The bench as one ES module; native and optional packages stay outside the bundle.
const { build } = await import('esbuild');
await build({
  entryPoints: [join(ROOT, 'bench', 'gpu-bench.ts')],
  outfile: join(OUT, 'gpu-bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['webgpu', 'playwright-core', 'vite'],
  // CommonJS dependencies call require(); give the bundle one.
  banner: { js: "import { createRequire as __qaCreateRequire } from 'node:module'; const require = __qaCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// 2. Dawn for Node: the package with only the linux-x64 binary.
const webgpu = pkgDir('webgpu');
const webgpuOut = join(OUT, 'node_modules', 'webgpu');
cpSync(webgpu, webgpuOut, { recursive: true, filter: (src) => !/[/\\]dist[/\\](?!linux-x64)[^/\\]+$/.test(src) || src.endsWith('.js') || src.endsWith('.d.ts') });

// 3. The Chromium page, built now (the GPU machine has no Vite).
const page = join(OUT, 'page');
const { build: viteBuild } = await import('vite');
await viteBuild({
  configFile: false,
  root: ROOT,
  logLevel: 'warn',
  base: './',
  worker: { format: 'es' },
  build: { outDir: page, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1 << 20, rollupOptions: { input: join(ROOT, 'bench', 'train-bench.html') } },
});
if (flag('with-chromium')) cpSync(pkgDir('playwright-core'), join(OUT, 'node_modules', 'playwright-core'), { recursive: true });

// 4. PyTorch side and the fixture the peer model is checked against.
for (const f of ['train-bench-pytorch.py', 'peer_electra.py', 'peer_electra_check.py']) cpSync(join(ROOT, 'bench', f), join(OUT, f));
const fixture = resolve(ROOT, '..', 'shared', 'reference', 'parity', 'electra-tiny');
if (existsSync(fixture)) cpSync(fixture, join(OUT, 'fixture'), { recursive: true });

// 5. Optionally Node itself.
if (flag('with-node')) execFileSync('sh', ['-c', `xz -T0 -6 -c "${process.execPath}" > "${join(OUT, 'node.xz')}"`]);

writeFileSync(
  join(OUT, 'run.sh'),
  `#!/bin/sh
# The GPU bench, packed by bench/gpu-bench-pack.mjs. Flags go to gpu-bench (--steps N, --cases 8x384,32x384, --skip ...).
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
NODE=\${NODE:-node}
if ! command -v "$NODE" >/dev/null 2>&1; then
  [ -f "$HERE/node.xz" ] || { echo "no node on PATH and no node.xz in the pack (pack with --with-node)" >&2; exit 2; }
  [ -x /tmp/qa-node ] || { xz -dc "$HERE/node.xz" > /tmp/qa-node && chmod +x /tmp/qa-node; }
  NODE=/tmp/qa-node
fi
export BENCH_PAGE_DIR="$HERE/page" PARITY_FIXTURE="$HERE/fixture"
exec "$NODE" "$HERE/gpu-bench.mjs" "$@"
`,
  { mode: 0o755 },
);

const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((a, f) => a + size(join(p, f)), 0) : statSync(p).size);
process.stdout.write(`${JSON.stringify({ tool: 'gpu-bench-pack', out: OUT, megabytes: Number((size(OUT) / 2 ** 20).toFixed(1)) })}\n`);
