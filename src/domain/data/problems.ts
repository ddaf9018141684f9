/** Everything the validator can find wrong with one row, by kind. */
export const PROBLEM_KINDS = [
  'invalid_json',
  'not_an_object',
  'missing_field',
  'wrong_type',
  'empty_context',
  'empty_question',
  'answer_count_mismatch',
  'answer_out_of_range',
  'answer_mismatch',
  'duplicate_id',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** Kinds a repair (searching the answer text near its start) can fix. */
export const REPAIRABLE_KINDS: ReadonlySet<ProblemKind> = new Set(['answer_out_of_range', 'answer_mismatch']);

/** Kinds that are reported but never cost the row its place (the Python system keeps such rows). */
export const KEPT_KINDS: ReadonlySet<ProblemKind> = new Set(['duplicate_id']);

export interface Problem {
  kind: ProblemKind;
  /** Dotted path of the offending field, e.g. "answers.answer_start[0]"; "" for the whole row. */
  field: string;
  message: string;
}

/** One reported problem with enough location to find the row again. */
export interface ProblemExample extends Problem {
  file: string;
  split: string;
  /** 0-based position of the record in its file, counting records (blank lines are not records). */
  index: number;
  /** Human-readable location: "line 12", "row 55", "data[0].paragraphs[1].qas[3]". */
  where: string;
  id?: string;
}

/** What to do with rows whose answer span does not match the context. */
export type RepairPolicy = 'skip' | 'repair';

export interface SplitCounts {
  read: number;
  kept: number;
  repaired: number;
  skipped: number;
}

export interface ValidationReport {
  policy: RepairPolicy;
  /** Rows read, kept (written), repaired (kept after a fix) and skipped, over all splits. */
  totals: SplitCounts;
  splits: Record<string, SplitCounts>;
  /** Count of rows carrying each problem kind (a row with two kinds counts in both). */
  counts: Record<ProblemKind, number>;
  /** The first few occurrences of each kind. */
  examples: Record<ProblemKind, ProblemExample[]>;
  /** Rows whose span problem the repair could not fix (skipped). */
  unrepairable: number;
  /** Rows that had no id and got the md5 one. */
  generatedIds: number;
}

export function emptyCounts(): SplitCounts {
  return { read: 0, kept: 0, repaired: 0, skipped: 0 };
}

function byKind<T>(make: () => T): Record<ProblemKind, T> {
  return Object.fromEntries(PROBLEM_KINDS.map((k) => [k, make()])) as Record<ProblemKind, T>;
}

/** Accumulates a ValidationReport row by row, keeping only the first `examplesPerKind` examples. */
export class ReportBuilder {
  readonly report: ValidationReport;

  constructor(policy: RepairPolicy, private readonly examplesPerKind = 5) {
    this.report = {
      policy,
      totals: emptyCounts(),
      splits: {},
      counts: byKind(() => 0),
      examples: byKind<ProblemExample[]>(() => []),
      unrepairable: 0,
      generatedIds: 0,
    };
  }

  split(name: string): SplitCounts {
    return (this.report.splits[name] ??= emptyCounts());
  }

  /** Records the problems of one row; each kind counts once per row, each occurrence may be shown. */
  add(where: Omit<ProblemExample, keyof Problem>, problems: readonly Problem[]): void {
    const seen = new Set<ProblemKind>();
    for (const p of problems) {
      if (!seen.has(p.kind)) {
        seen.add(p.kind);
        this.report.counts[p.kind]++;
      }
      const list = this.report.examples[p.kind];
      if (list.length < this.examplesPerKind) list.push({ ...where, ...p });
    }
  }

  count(split: string, key: keyof SplitCounts): void {
    this.split(split)[key]++;
    this.report.totals[key]++;
  }
}

/** Total number of rows that had at least one problem of any kind listed. */
export function problemTotal(report: ValidationReport): number {
  return PROBLEM_KINDS.reduce((s, k) => s + report.counts[k], 0);
}

/** Short human-readable lines summarising a report, stored with the dataset as its import notes. */
export function reportNotes(report: ValidationReport): string[] {
  const notes = [`${report.totals.kept} rows kept of ${report.totals.read} read (policy: ${report.policy})`];
  if (report.totals.repaired) notes.push(`${report.totals.repaired} rows repaired (answer start moved to the nearest occurrence of its text)`);
  if (report.totals.skipped) notes.push(`${report.totals.skipped} rows skipped`);
  if (report.unrepairable) notes.push(`${report.unrepairable} rows could not be repaired`);
  if (report.generatedIds) notes.push(`${report.generatedIds} ids generated as md5(question | context)[:16]`);
  for (const k of PROBLEM_KINDS) if (report.counts[k]) notes.push(`${k}: ${report.counts[k]}`);
  return notes;
}
