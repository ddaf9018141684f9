// The page bench/backends-bench.ts drives (served cross-origin isolated): each case times the
// trainer's step on one backend in a fresh training worker, as the app's backend choice does, and
// `autoPick` runs the app's own choice (candidates, probe, fastest) for a model config.
import { candidateLabel, candidatesFor, chooseBackend, measureCandidates, probeFor, type BackendCandidate, type BackendMeasurement, type ProbeSetup, type TrainingShape } from '../src/domain/compute/backend-choice';
import { parseHfConfig } from '../src/domain/model/config';
import { measureInFreshWorker, spawnProbeWorker } from '../src/worker/backend-probe';
import { browserCapabilities } from '../src/worker/capabilities';

export interface PageCase {
  candidate: BackendCandidate;
  config: Record<string, unknown>;
  probe: ProbeSetup;
  deadlineMs: number;
}

declare global {
  interface Window {
    pageInfo(): Promise<{ isolated: boolean; hardwareConcurrency: number; adapter: unknown; candidates: BackendCandidate[] }>;
    runCase(c: PageCase): Promise<BackendMeasurement>;
    autoPick(config: Record<string, unknown>, training: TrainingShape): Promise<{ label: string; reason: string; measurements: BackendMeasurement[] }>;
  }
}

window.pageInfo = async () => {
  const caps = await browserCapabilities();
  return { isolated: crossOriginIsolated, hardwareConcurrency: caps.hardwareConcurrency, adapter: caps.adapter, candidates: candidatesFor(caps) };
};

window.runCase = (c) => measureInFreshWorker(spawnProbeWorker, c.candidate, c.config, c.probe, c.deadlineMs);

window.autoPick = async (config, training) => {
  const caps = await browserCapabilities();
  const probe = probeFor(parseHfConfig(config, 'model config.json'), training);
  const measurements = await measureCandidates(candidatesFor(caps), probe, {
    measure: (c, deadline) => measureInFreshWorker(spawnProbeWorker, c, config, probe, deadline),
  });
  const choice = chooseBackend(measurements, 'auto');
  return { label: candidateLabel(choice.candidate), reason: choice.reason, measurements };
};

document.getElementById('status')!.dataset.ready = 'true';
