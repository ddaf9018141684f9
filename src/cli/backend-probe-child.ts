/**
 * One backend probe in a child process (spawned by tf-node.ts measureInChild): a tfjs process runs
 * one wasm variant for its life, and a slow backend can be stopped by killing its process, as the
 * browser terminates its probe worker. Prints `started <candidate>` once the backend runs (with
 * what only then is known: the adapter's software flag, the wasm pool's size), `progress <json>`
 * lines, then `result <json>`.
 */
import { initNodeBackend, measureNodeBackend, startedCandidate } from './tf-node';
import type { BackendCandidate, ProbeSetup } from '../domain/compute/backend-choice';

interface ChildInput {
  candidate: BackendCandidate;
  config: Record<string, unknown>;
  probe: ProbeSetup;
  deadlineMs: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
  const say = (kind: string, value: unknown) => process.stdout.write(`${kind} ${JSON.stringify(value)}\n`);
  try {
    await initNodeBackend(input.candidate.backend as 'wasm' | 'cpu' | 'webgpu', { threads: input.candidate.threads });
    say('started', startedCandidate(input.candidate));
    say('result', await measureNodeBackend(input.candidate, input.config, input.probe, input.deadlineMs, (phase, ms) => say('progress', { phase, ms })));
  } catch (e) {
    say('result', { candidate: input.candidate, ok: false, note: e instanceof Error ? e.message : String(e) });
  }
}

main().then(
  () => process.exit(0),
  () => process.exit(1),
);
