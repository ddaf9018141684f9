/**
 * Lays chart SVGs out in a grid inside one SVG (the 2×2 `experiment_results.png` layout). Each
 * panel becomes a nested <svg>; its ids get a per-panel prefix so several copies of the same
 * chart kind can share the figure without clashing references.
 */
import { attrs, num, svgDocument, text } from './svg';

export interface GridOptions {
  /** panels per row (default 2) */
  columns?: number;
  /** figure title above the panels (the Python suptitle) */
  title?: string;
  /** id prefix of the figure (default "figure") */
  id?: string;
  /** space between panels in px (default 0; the panels carry their own margins) */
  gap?: number;
}

const ROOT = /^\s*<svg\b([^>]*)>([\s\S]*)<\/svg>\s*$/;

function attr(tagAttrs: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tagAttrs);
  return m ? m[1] : null;
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

interface ParsedPanel {
  width: number;
  height: number;
  inner: string;
  labelledBy: string | null;
  describedBy: string | null;
  title: string;
}

function parsePanel(svg: string, index: number): ParsedPanel {
  const m = ROOT.exec(svg);
  if (!m) throw new SyntaxError(`panel ${index} is not a single <svg> element`);
  const width = Number(attr(m[1], 'width'));
  const height = Number(attr(m[1], 'height'));
  if (!(width > 0 && height > 0)) throw new SyntaxError(`panel ${index} needs numeric width and height attributes`);
  const title = /<title[^>]*>([\s\S]*?)<\/title>/.exec(m[2]);
  return {
    width,
    height,
    inner: m[2],
    labelledBy: attr(m[1], 'aria-labelledby'),
    describedBy: attr(m[1], 'aria-describedby'),
    title: title ? unescapeXml(title[1]) : `panel ${index + 1}`,
  };
}

function prefixIds(markup: string, prefix: string): string {
  return markup
    .replace(/\sid="([^"]+)"/g, (_, v: string) => ` id="${prefix}${v}"`)
    .replace(/url\(#([^)]+)\)/g, (_, v: string) => `url(#${prefix}${v})`)
    .replace(/\shref="#([^"]+)"/g, (_, v: string) => ` href="#${prefix}${v}"`)
    .replace(/\saria-(labelledby|describedby)="([^"]+)"/g, (_, k: string, v: string) => ` aria-${k}="${v.split(/\s+/).map((t) => prefix + t).join(' ')}"`);
}

export function composeGrid(panels: readonly string[], opts: GridOptions = {}): string {
  if (panels.length === 0) throw new RangeError('composeGrid needs at least one panel');
  const columns = opts.columns ?? 2;
  if (!(Number.isInteger(columns) && columns >= 1)) throw new RangeError(`columns must be a positive integer, got ${columns}`);
  const gap = opts.gap ?? 0;
  const id = opts.id ?? 'figure';
  const parsed = panels.map(parsePanel);
  const cellW = Math.max(...parsed.map((p) => p.width));
  const cellH = Math.max(...parsed.map((p) => p.height));
  const rows = Math.ceil(parsed.length / columns);
  const titleH = opts.title ? 44 : 0;
  const width = columns * cellW + (columns - 1) * gap;
  const height = titleH + rows * cellH + (rows - 1) * gap;
  const body =
    (opts.title ? text(width / 2, 30, opts.title, { 'text-anchor': 'middle', 'font-size': 22, 'font-weight': 700 }) : '') +
    parsed
      .map((p, i) => {
        const prefix = `${id}-p${i + 1}-`;
        const x = (i % columns) * (cellW + gap);
        const y = titleH + Math.floor(i / columns) * (cellH + gap);
        const a = attrs({
          x,
          y,
          width: p.width,
          height: p.height,
          viewBox: `0 0 ${num(p.width)} ${num(p.height)}`,
          role: 'img',
          'aria-labelledby': p.labelledBy ? p.labelledBy.split(/\s+/).map((t) => prefix + t).join(' ') : null,
          'aria-describedby': p.describedBy ? p.describedBy.split(/\s+/).map((t) => prefix + t).join(' ') : null,
        });
        return `<svg${a}>${prefixIds(p.inner, prefix)}</svg>`;
      })
      .join('');
  const desc = `Figure of ${parsed.length} panels: ${parsed.map((p) => p.title).join('; ')}.`;
  return svgDocument({ id, width, height, title: opts.title ?? parsed.map((p) => p.title).join(' / '), desc, body });
}
