/**
 * How well an imported per-example file (cartography metrics, cluster assignments) matches a
 * dataset split, by id. Dataset rows may share an id (emrQA rows with the same question and
 * context hash to one id), so rows and distinct ids are both counted.
 */

export interface CoverageReport {
  /** Dataset rows (with repeats of an id counted each time). */
  datasetRows: number;
  datasetIds: number;
  fileIds: number;
  /** Dataset rows whose id is in the file. */
  coveredRows: number;
  missingRows: number;
  /** Distinct dataset ids found / not found in the file. */
  coveredIds: number;
  missingIds: number;
  /** Distinct file ids that are not in the dataset. */
  extraIds: number;
  /** coveredRows / datasetRows (0 for an empty dataset). */
  coverage: number;
  /** Up to `exampleLimit` ids of each kind, in dataset / file order. */
  missingExamples: string[];
  extraExamples: string[];
}

export function checkCoverage(fileIds: Iterable<string>, datasetIds: Iterable<string>, exampleLimit = 10): CoverageReport {
  const inFile = new Set(fileIds);
  const seenDataset = new Set<string>();
  let datasetRows = 0;
  let coveredRows = 0;
  let coveredIds = 0;
  const missingExamples: string[] = [];
  for (const id of datasetIds) {
    datasetRows++;
    const covered = inFile.has(id);
    if (covered) coveredRows++;
    if (seenDataset.has(id)) continue;
    seenDataset.add(id);
    if (covered) coveredIds++;
    else if (missingExamples.length < exampleLimit) missingExamples.push(id);
  }
  let extraIds = 0;
  const extraExamples: string[] = [];
  for (const id of inFile) {
    if (seenDataset.has(id)) continue;
    extraIds++;
    if (extraExamples.length < exampleLimit) extraExamples.push(id);
  }
  return {
    datasetRows,
    datasetIds: seenDataset.size,
    fileIds: inFile.size,
    coveredRows,
    missingRows: datasetRows - coveredRows,
    coveredIds,
    missingIds: seenDataset.size - coveredIds,
    extraIds,
    coverage: datasetRows === 0 ? 0 : coveredRows / datasetRows,
    missingExamples,
    extraExamples,
  };
}

/** One line for logs and the import dialog. */
export function describeCoverage(c: CoverageReport): string {
  const pct = (c.coverage * 100).toFixed(1);
  let s = `${c.coveredRows} of ${c.datasetRows} rows covered (${pct}%), ${c.missingIds} dataset ids missing, ${c.extraIds} file ids not in the dataset`;
  if (c.missingExamples.length) s += `; missing e.g. ${c.missingExamples.slice(0, 3).join(', ')}`;
  if (c.extraExamples.length) s += `; extra e.g. ${c.extraExamples.slice(0, 3).join(', ')}`;
  return s;
}
