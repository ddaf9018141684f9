import { describe, expect, it } from 'vitest';
import { analyzeExperiments } from '../../src/domain/experiments/analysis/compare';
import {
  composeGrid,
  configurationChart,
  experimentResultsFigure,
  f1OverExperimentsChart,
  f1VsExactMatchChart,
  strategyComparisonChart,
  trainingCurvesChart,
  trainingEfficiencyChart,
  type RunHistory,
} from '../../src/ui/charts/index';
import { OKABE_ITO } from '../../src/ui/charts/palette';
import { comparisonRows, run } from './analysis-fixtures';

/** Checks that every tag is closed in order (the SVG is well-formed XML as far as elements go). */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (selfClosing) continue;
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else stack.push(name);
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(', ')}`);
  expect(svg).not.toMatch(/NaN|undefined|Infinity/);
}

function count(svg: string, needle: string): number {
  return svg.split(needle).length - 1;
}

function assertAccessible(svg: string, title: string): void {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg).toMatch(/^<svg[^>]* role="img"[^>]* aria-labelledby="[^"]+-title" aria-describedby="[^"]+-desc"/);
  expect(svg).toMatch(/^<svg[^>]* font-family="system-ui[^"]*sans-serif"/);
  expect(svg).toContain(`-title">${title}</title>`);
  expect(svg).toMatch(/<desc id="[^"]+-desc">[^<]{20,}<\/desc>/);
}

// 10 runs, 1 failed: 9 successful with F1 and EM, 8 of them with a duration.
const rows = comparisonRows;

describe('the four Python plots', () => {
  it('F1 over experiments: one marker per successful run, labelled axes', () => {
    const svg = f1OverExperimentsChart(rows);
    assertWellFormed(svg);
    assertAccessible(svg, 'F1 Score Over Experiments');
    expect(count(svg, 'class="point"')).toBe(9);
    expect(count(svg, 'class="series"')).toBe(1);
    expect(svg).toContain('>Experiment Number</text>');
    expect(svg).toContain('>F1 Score</text>');
    expect(svg).toMatch(/width="800" height="500"/);
    expect(svg).toMatchSnapshot();
  });

  it('F1 over experiments keeps the position of a successful run without F1 as a gap, as matplotlib does', () => {
    const gap = [
      run({ experiment_name: 'a', timestamp: '2025-01-01T01:00:00', eval_f1: 70 }),
      run({ experiment_name: 'b', timestamp: '2025-01-01T02:00:00', eval_f1: null }),
      run({ experiment_name: 'c', timestamp: '2025-01-01T03:00:00', eval_f1: 72 }),
    ];
    const svg = f1OverExperimentsChart(gap);
    expect(count(svg, 'class="point"')).toBe(2);
    expect(svg).toContain('#2 c: F1 72.00');
    // the line is two separate pieces: two moveto commands
    expect(/class="series" d="([^"]+)"/.exec(svg)![1].match(/M/g)).toHaveLength(2);
  });

  it('F1 vs exact match: one marker per run and the dashed diagonal', () => {
    const svg = f1VsExactMatchChart(rows);
    assertWellFormed(svg);
    assertAccessible(svg, 'F1 vs Exact Match');
    expect(count(svg, 'class="point"')).toBe(9);
    expect(count(svg, 'class="diagonal"')).toBe(1);
    expect(svg).toContain(`stroke="${OKABE_ITO.vermillion}" stroke-width="1.5" stroke-dasharray="6 4"`);
    expect(svg).toContain('>Exact Match</text>');
    expect(svg).toMatchSnapshot();
  });

  it('strategy comparison: a bar per enabled strategy with a 4-decimal label, none for the baseline', () => {
    const svg = strategyComparisonChart(rows);
    assertWellFormed(svg);
    assertAccessible(svg, 'Strategy Performance Comparison');
    expect(count(svg, 'class="bar"')).toBe(3);
    for (const l of ['Cartography Filter', 'Label Smoothing', 'Soft Weighting']) expect(svg).toContain(`>${l}</text>`);
    expect(svg).toContain('> 73.8200</text>');
    expect(svg).toContain('>Mean F1 Score</text>');
    expect(svg).not.toContain('None (baseline)');
    const withBase = strategyComparisonChart(rows, { includeBaseline: true });
    expect(count(withBase, 'class="bar"')).toBe(4);
    expect(withBase).toContain('> 72.0438</text>');
    expect(svg).toMatchSnapshot();
  });

  it('training efficiency: one marker per run with a duration, in minutes', () => {
    const svg = trainingEfficiencyChart(rows);
    assertWellFormed(svg);
    assertAccessible(svg, 'Training Efficiency');
    expect(count(svg, 'class="point"')).toBe(8);
    expect(svg).toContain('>Training Duration (minutes)</text>');
    expect(svg).toContain('1 run(s) without duration not shown');
    expect(svg).toMatchSnapshot();
  });

  it('show the Python messages without data', () => {
    const failed = [run({ experiment_name: 'a', success: false, eval_f1: null, eval_exact_match: null })];
    expect(f1OverExperimentsChart(failed)).toContain('>F1 data not available</text>');
    expect(f1VsExactMatchChart(failed)).toContain('>Metrics not available</text>');
    expect(strategyComparisonChart(failed)).toContain('>F1 data not available</text>');
    expect(strategyComparisonChart([run({ experiment_name: 'baseline' })])).toContain('>No strategy data</text>');
    expect(trainingEfficiencyChart([run({ experiment_name: 'a', duration_seconds: null })])).toContain('>Duration data not available</text>');
    for (const svg of [f1OverExperimentsChart([]), trainingEfficiencyChart([])]) assertWellFormed(svg);
  });

  it('escapes run names', () => {
    const svg = f1OverExperimentsChart([run({ experiment_name: 'a<b>&"c"' })]);
    assertWellFormed(svg);
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;: F1 70.00');
  });
});

describe('experiment_results figure and composeGrid', () => {
  it('lays the four plots 2×2 under the suptitle, with unique ids', () => {
    const svg = experimentResultsFigure(rows);
    assertWellFormed(svg);
    assertAccessible(svg, 'Experiment Results Analysis');
    expect(svg).toMatch(/^<svg[^>]* width="1600" height="1044"/);
    expect(count(svg, '<svg ')).toBe(5);
    expect(svg).toContain('<svg x="800" y="544" width="800" height="500"');
    const ids = [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('experiment-results-p3-strategy-comparison-title');
    expect(svg).toContain('aria-labelledby="experiment-results-p1-f1-over-experiments-title"');
    expect(count(svg, 'tabindex=')).toBe(1);
    expect(svg).toMatchSnapshot();
  });

  it('prefixes ids even when the same chart appears twice, and rejects non-SVG input', () => {
    const a = f1OverExperimentsChart(rows, { width: 400, height: 300 });
    const svg = composeGrid([a, a, a], { columns: 3, id: 'fig' });
    const ids = [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(svg).toMatch(/^<svg[^>]* width="1200" height="300"/);
    expect(() => composeGrid(['<g/>'])).toThrow(/panel 0 is not a single <svg> element/);
    expect(() => composeGrid([])).toThrow(/at least one panel/);
  });
});

describe('per-configuration chart', () => {
  const analysis = analyzeExperiments(rows);

  it('draws mean, CI and every seed per configuration, the baseline line and the Holm stars', () => {
    const svg = configurationChart(analysis);
    assertWellFormed(svg);
    assertAccessible(svg, 'F1 by configuration: mean, 95% CI and seeds');
    expect(count(svg, 'class="mean"')).toBe(4);
    expect(count(svg, 'class="seed-point"')).toBe(3 + 3 + 2 + 1);
    expect(count(svg, 'class="ci"')).toBe(3); // soft_weight has one run, hence no interval
    expect(count(svg, 'class="baseline-line"')).toBe(1);
    expect(svg).toContain('>+1.78 **</text>');
    expect(svg).toContain('>+0.61 ns</text>');
    expect(svg).toContain('>+0.96 untested</text>');
    expect(svg).toContain('>F1</text>');
    expect(svg).toContain('cartography_top33_seed44 (seed 44): F1 74.35');
    expect(svg).toMatchSnapshot();
  });

  it('draws exact match when asked and grows with the number of configurations', () => {
    const em = configurationChart(analysis, { metric: 'eval_exact_match' });
    expect(em).toContain('-title">Exact Match by configuration: mean, 95% CI and seeds</title>');
    const many = analyzeExperiments(Array.from({ length: 12 }, (_, i) => run({ experiment_name: `cfg${i}_seed1`, eval_f1: 70 + i })));
    expect(configurationChart(many)).toMatch(/^<svg[^>]* height="668"/);
    expect(configurationChart(many)).not.toContain('baseline-line');
  });
});

describe('training curves', () => {
  const history = (k: number): RunHistory['history'] =>
    Array.from({ length: 12 }, (_, i) => ({
      step: (i + 1) * 100,
      loss: Math.round((3 / (1 + i + k)) * 1000) / 1000 + 0.5,
      learning_rate: 5e-5 * (1 - i / 12),
      ...(i % 4 === 3 ? { eval_f1: 50 + 5 * i - k } : {}),
    }));
  const runs: RunHistory[] = [
    { name: 'baseline_seed42', history: history(0) },
    { name: 'cartography_top33_seed42', history: history(2) },
  ];

  it('draws a loss line and eval F1 points per run, against step', () => {
    const svg = trainingCurvesChart(runs);
    assertWellFormed(svg);
    assertAccessible(svg, 'Training loss and eval F1 by step');
    expect(count(svg, 'class="loss-line"')).toBe(2);
    expect(count(svg, 'class="eval-line"')).toBe(2);
    expect(count(svg, 'class="eval-line-point"')).toBe(6);
    expect(svg).toContain('>Step</text>');
    expect(svg).toContain('>Training loss</text>');
    expect(svg).toContain('>Eval F1</text>');
    expect(svg).toContain(`stroke="${OKABE_ITO.blue}"`);
    expect(svg).toContain(`stroke="${OKABE_ITO.vermillion}"`);
    expect(svg).toMatchSnapshot();
  });

  it('handles runs without evaluations and rejects broken entries', () => {
    const svg = trainingCurvesChart([{ name: 'r', history: [{ step: 0, loss: 2 }, { step: 10, loss: 1 }] }]);
    assertWellFormed(svg);
    expect(svg).toContain('>No evaluation logged</text>');
    expect(trainingCurvesChart([])).toContain('>No logged steps</text>');
    expect(() => trainingCurvesChart([{ name: 'r', history: [{ step: Number.NaN }] }])).toThrow(/run "r", entry 0: step must be a finite number/);
    expect(() => trainingCurvesChart([{ name: 'r', history: [{ step: 1, loss: Infinity }] }])).toThrow(/entry 0: loss must be a finite number/);
  });
});
