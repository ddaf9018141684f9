/**
 * `cluster_samples.json` (origin-system.md §4.2): for noise and every cluster, up to ten of
 * its examples in dataset order, with the question, the context cut to 200 characters plus
 * "..." (appended always, as the Python code does), the membership probability, and the
 * answers (as main added them).
 */
import type { QARecord } from '../data/types';
import type { ClusterAssignmentRow } from './types';

export interface ClusterSample {
  id: string;
  question: string;
  context: string;
  probability: number | null;
  answers: string[];
}

/** Python's `s[:n]` counts code points, not UTF-16 units. */
function headCodePoints(s: string, n: number): string {
  let out = '';
  let count = 0;
  for (const ch of s) {
    if (count++ >= n) break;
    out += ch;
  }
  return out;
}

/** Keys "noise" (label −1) and "cluster_{k}", in ascending label order. */
export function clusterSamples(
  assignments: readonly ClusterAssignmentRow[],
  recordOf: (id: string) => QARecord | undefined,
  perCluster = 10,
): Record<string, ClusterSample[]> {
  const byLabel = new Map<number, ClusterSample[]>();
  for (const a of assignments) {
    let list = byLabel.get(a.cluster);
    if (!list) byLabel.set(a.cluster, (list = []));
    if (list.length >= perCluster) continue;
    const rec = recordOf(a.id);
    if (!rec) continue;
    list.push({
      id: a.id,
      question: rec.question,
      context: headCodePoints(rec.context, 200) + '...',
      probability: a.cluster_probability,
      answers: [...rec.answers.text],
    });
  }
  const out: Record<string, ClusterSample[]> = {};
  for (const label of [...byLabel.keys()].sort((x, y) => x - y)) out[label < 0 ? 'noise' : `cluster_${label}`] = byLabel.get(label) as ClusterSample[];
  return out;
}
