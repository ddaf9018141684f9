/**
 * The pretraining corpus of the demo base model: demo-style clinical notes drawn from seeds other
 * than the demo dataset's, with every note that occurs in the demo dataset (train or validation)
 * left out, so that pretraining never sees a context the demo fine-tunes or evaluates on. Each
 * note ends with its recap lists (generator.ts), which demo contexts never have.
 */
import { DEMO_DEFAULTS, generateDemoDataset, generateDemoNotes, type DemoNote } from './generator';

export interface CorpusOptions {
  /** Notes wanted. */
  notes: number;
  /** The corpus seed; must differ from the demo dataset's (DEMO_DEFAULTS.seed). */
  seed: number;
  /** Append each note's recap lists (generator.ts recap; default true). */
  recap?: boolean;
}

export interface DemoCorpus {
  notes: string[];
  /** The same notes with body and recap apart (for span selection). */
  parts: DemoNote[];
  /** Generated notes dropped because the demo dataset has them. */
  droppedAsDemo: number;
  /** Duplicates dropped within the corpus. */
  droppedAsDuplicate: number;
}

/** The contexts of the demo dataset (seed 42, the app's), train and validation. */
export function demoContexts(): Set<string> {
  const d = generateDemoDataset();
  return new Set([...d.train, ...d.validation].map((r) => r.context));
}

export function demoPretrainingCorpus(opts: CorpusOptions): DemoCorpus {
  if (!Number.isInteger(opts.notes) || opts.notes < 1) throw new RangeError(`corpus notes must be a positive integer, got ${opts.notes}`);
  if (opts.seed === DEMO_DEFAULTS.seed) throw new RangeError(`the corpus seed must differ from the demo dataset's (${DEMO_DEFAULTS.seed})`);
  const exclude = demoContexts();
  const seen = new Set<string>();
  const notes: string[] = [];
  const parts: DemoNote[] = [];
  let droppedAsDemo = 0;
  let droppedAsDuplicate = 0;
  for (let round = 0; notes.length < opts.notes; round++) {
    for (const { context, recap } of generateDemoNotes(opts.seed * 1000 + round, opts.notes - notes.length)) {
      if (exclude.has(context)) droppedAsDemo++;
      else if (seen.has(context)) droppedAsDuplicate++;
      else {
        seen.add(context);
        notes.push(opts.recap === false ? context : `${context} ${recap}`);
        parts.push({ context, recap });
      }
    }
  }
  return { notes, parts, droppedAsDemo, droppedAsDuplicate };
}
