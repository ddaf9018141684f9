/** Chart renderers: pure functions from analysis data to standalone SVG strings (browser and Node). */
export { f1OverExperimentsChart, f1VsExactMatchChart, strategyComparisonChart, trainingEfficiencyChart, experimentResultsFigure } from './python-plots';
export type { StrategyChartOptions } from './python-plots';
export { configurationChart } from './configuration-chart';
export type { ConfigurationChartOptions } from './configuration-chart';
export { trainingCurvesChart } from './training-curves-chart';
export type { LogHistoryEntry, RunHistory } from './training-curves-chart';
export { composeGrid } from './grid';
export type { GridOptions } from './grid';
export { OKABE_ITO, SERIES_COLORS, seriesStyle } from './palette';
export type { ChartOptions } from './svg';
