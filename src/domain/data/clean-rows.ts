import type { QARecord } from './types';
import type { RawRow } from './raw-row';
import { checkRow } from './normalize';
import { repairSpans } from './repair';
import { exampleId } from './example-id';
import { KEPT_KINDS, ReportBuilder, REPAIRABLE_KINDS, type Problem, type RepairPolicy } from './problems';

/**
 * Validates raw rows into QARecords, applying the user's policy to span problems:
 * "skip" drops rows whose answer span does not match the context, "repair" moves the span to the
 * nearest occurrence of the answer text and drops (and reports) the rows where that fails. Rows with
 * structural problems are always dropped. Every drop is counted and exemplified in the report.
 * Ids: kept when given, else md5(question | context)[:16]; duplicate ids within a split are reported
 * and kept, as the Python system keeps them.
 */
export class RowCleaner {
  private readonly seenIds = new Map<string, Set<string>>();

  constructor(
    readonly report: ReportBuilder,
    private readonly policy: RepairPolicy,
  ) {}

  /** Returns the record to keep, or null when the row is dropped. */
  clean(raw: RawRow): QARecord | null {
    const { split } = raw;
    this.report.count(split, 'read');
    const checked = checkRow(raw);
    const where = { file: raw.file, split, index: raw.index, where: raw.where, ...(checked.givenId ? { id: checked.givenId } : {}) };
    let rec = checked.record;
    const problems: Problem[] = checked.problems;
    const structural = problems.some((p) => !REPAIRABLE_KINDS.has(p.kind) && !KEPT_KINDS.has(p.kind));
    let repaired = false;
    if (rec && !structural && checked.badSpans.length) {
      if (this.policy === 'repair') {
        rec = repairSpans(rec, checked.badSpans);
        if (rec) repaired = true;
        else this.report.report.unrepairable++;
      } else rec = null;
    }
    if (rec && !rec.id) {
      rec.id = exampleId(rec.question, rec.context);
      this.report.report.generatedIds++;
    }
    if (rec) {
      let ids = this.seenIds.get(split);
      if (!ids) this.seenIds.set(split, (ids = new Set()));
      if (ids.has(rec.id)) {
        problems.push({ kind: 'duplicate_id', field: 'id', message: `id ${rec.id} already used by an earlier row of split "${split}"` });
      } else ids.add(rec.id);
    }
    if (problems.length) this.report.add({ ...where, ...(rec ? { id: rec.id } : {}) }, problems);
    if (!rec) {
      this.report.count(split, 'skipped');
      return null;
    }
    if (repaired) this.report.count(split, 'repaired');
    this.report.count(split, 'kept');
    return rec;
  }
}

/** Streams the kept records of `rows` through a RowCleaner. */
export async function* cleanRows(rows: AsyncIterable<RawRow>, cleaner: RowCleaner): AsyncGenerator<QARecord> {
  for await (const raw of rows) {
    const rec = cleaner.clean(raw);
    if (rec) yield rec;
  }
}
