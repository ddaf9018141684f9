/** Analysis of experiment results: statistics, grouping and comparison, Python-faithful text and CSV. */
export * from './stats';
export { analyzeExperiments, compareWithBaseline, groupRuns } from './compare';
export type { AnalysisOptions, ConfigGroup, ExperimentAnalysis, GroupBy, GroupComparison, MetricComparison, SeedRun } from './compare';
export {
  METRIC_KEYS,
  RESULTS_CSV_COLUMNS,
  STRATEGY_FLAGS,
  nameWithoutSeed,
  pythonTitle,
  seedFromName,
  sortRowsByTimestamp,
} from './rows';
export type { AnalysisRow, MetricKey, ResultsCsvColumn, StrategyFlag } from './rows';
export { formatResultsSummary } from './summary-text';
export { alignColumns, formatComparisonTable, formatGroupTable, formatP } from './comparison-text';
export { COMPARISON_TABLE_COLUMNS, GROUPED_TABLE_COLUMNS, comparisonTableCsv, csvField, groupedTableCsv, parseCsv, toCsv } from './csv';
export type { CsvCell } from './csv';
export { parseResultsCsv, resultsCsv, resultsCsvColumns } from './results-csv';
