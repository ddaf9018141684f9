/**
 * One dataset split as the Cartography and Clusters sections need it: every id (for coverage
 * checks and joins), every question (for the question-type table) and the demo dataset's noise
 * marks, kept in memory; full rows (long contexts) are read on demand, a stored chunk at a time,
 * with a few chunks cached, so hovering over 131k points never holds the whole split in memory.
 */
import type { LabDatabase } from '../../storage/db';
import { readRowRange, readSplitChunks } from '../../storage/datasets';
import { EXAMPLES_PER_CHUNK, type DatasetMeta } from '../../storage/schema';
import type { QARecord } from '../../domain/data/types';

const CACHED_CHUNKS = 4;

export class SplitIndex {
  /** First row of each id. */
  readonly rowOf: Map<string, number>;
  private readonly cache = new Map<number, Promise<QARecord[]>>();

  private constructor(
    private readonly db: LabDatabase,
    readonly dataset: DatasetMeta,
    readonly split: string,
    readonly ids: string[],
    readonly questions: string[],
    /** Per row; null when no row of the split carries a noise mark. */
    readonly noise: (string | null)[] | null,
  ) {
    this.rowOf = new Map();
    ids.forEach((id, i) => {
      if (!this.rowOf.has(id)) this.rowOf.set(id, i);
    });
  }

  static async load(db: LabDatabase, dataset: DatasetMeta, split: string, onProgress?: (rows: number, total: number) => void): Promise<SplitIndex> {
    const s = dataset.splits[split];
    if (!s) throw new Error(`Dataset "${dataset.name}" has no "${split}" split`);
    const ids: string[] = [];
    const questions: string[] = [];
    const noise: (string | null)[] = [];
    let anyNoise = false;
    for await (const rows of readSplitChunks(db, dataset.id, split)) {
      for (const r of rows) {
        ids.push(r.id);
        questions.push(r.question);
        noise.push(r.noise ?? null);
        if (r.noise) anyNoise = true;
      }
      onProgress?.(ids.length, s.rows);
    }
    return new SplitIndex(db, dataset, split, ids, questions, anyNoise ? noise : null);
  }

  get size(): number {
    return this.ids.length;
  }

  /** The question of an id (its first row), for lookups by metrics rows. */
  questionOf = (id: string): string | undefined => {
    const i = this.rowOf.get(id);
    return i === undefined ? undefined : this.questions[i];
  };

  private chunk(n: number): Promise<QARecord[]> {
    let c = this.cache.get(n);
    if (c) {
      // Refresh its place in the insertion-ordered map (least recently used goes first).
      this.cache.delete(n);
      this.cache.set(n, c);
      return c;
    }
    c = readRowRange(this.db, this.dataset.id, this.split, n * EXAMPLES_PER_CHUNK, EXAMPLES_PER_CHUNK);
    c.catch(() => this.cache.delete(n));
    this.cache.set(n, c);
    while (this.cache.size > CACHED_CHUNKS) this.cache.delete(this.cache.keys().next().value as number);
    return c;
  }

  async recordAt(row: number): Promise<QARecord> {
    if (!(Number.isInteger(row) && row >= 0 && row < this.ids.length)) throw new RangeError(`row ${row} is outside the split's ${this.ids.length} rows`);
    const n = Math.floor(row / EXAMPLES_PER_CHUNK);
    return (await this.chunk(n))[row - n * EXAMPLES_PER_CHUNK];
  }

  async recordOf(id: string): Promise<QARecord | undefined> {
    const i = this.rowOf.get(id);
    return i === undefined ? undefined : this.recordAt(i);
  }

  /** Records for several ids (undefined where the id is not in the split), reading chunks in order. */
  async recordsOf(ids: readonly string[]): Promise<(QARecord | undefined)[]> {
    const rows = ids.map((id) => this.rowOf.get(id));
    const order = rows.map((r, k) => [r ?? -1, k] as const).sort((a, b) => a[0] - b[0]);
    const out: (QARecord | undefined)[] = new Array(ids.length);
    for (const [r, k] of order) out[k] = r < 0 ? undefined : await this.recordAt(r);
    return out;
  }
}
