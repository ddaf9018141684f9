/**
 * SVG as strings, so charts render the same in the browser and under Node (no DOM). Coordinates
 * are rounded to 2 decimals, which keeps the output deterministic and small.
 */
import { INK } from './palette';

export const FONT_FAMILY = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';

export interface ChartSize {
  width: number;
  height: number;
}

export interface ChartOptions {
  /** default 800 */
  width?: number;
  /** default 500 */
  height?: number;
  /** replaces the default title */
  title?: string;
  /** prefix of the element ids (title/desc); make it unique when several charts share a page */
  id?: string;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A coordinate or length with at most 2 decimals (no "-0"). */
export function num(x: number): string {
  const r = Math.round(x * 100) / 100;
  return String(r === 0 ? 0 : r);
}

export type AttrValue = string | number | null | undefined | false;

export function attrs(a: Record<string, AttrValue>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== null && v !== undefined && v !== false)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(String(v))}"`)
    .join('');
}

export function el(tag: string, a: Record<string, AttrValue>, children?: string): string {
  return children === undefined ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${children}</${tag}>`;
}

export function text(x: number, y: number, content: string, a: Record<string, AttrValue> = {}): string {
  return el('text', { x, y, ...a }, escapeXml(content));
}

/** Rough text width for layout without a DOM: average glyph ≈ 0.58 em in a sans-serif face. */
export function estimateTextWidth(s: string, fontSize: number): number {
  return s.length * fontSize * 0.58;
}

/** Shortens a label to fit `maxWidth`, ending in an ellipsis. */
export function fitLabel(s: string, fontSize: number, maxWidth: number): string {
  if (estimateTextWidth(s, fontSize) <= maxWidth) return s;
  const n = Math.max(1, Math.floor(maxWidth / (fontSize * 0.58)) - 1);
  return `${s.slice(0, n)}…`;
}

export interface SvgDocument extends ChartSize {
  id: string;
  title: string;
  desc: string;
  body: string;
  /**
   * A layer of a composed chart whose wrapper carries the label: hidden from assistive
   * technology and not focusable (a focus stop inside an aria-hidden element would be silent).
   */
  decorative?: boolean;
}

/**
 * A standalone SVG document: white background, font set on the root, `role="img"` labelled by its
 * `<title>` and described by its `<desc>`, focusable so keyboard users can reach it.
 */
export function svgDocument({ id, width, height, title, desc, body, decorative = false }: SvgDocument): string {
  const head = el('title', { id: `${id}-title` }, escapeXml(title)) + el('desc', { id: `${id}-desc` }, escapeXml(desc));
  const a11y = decorative
    ? { 'aria-hidden': 'true' }
    : { role: 'img', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-desc`, tabindex: 0 };
  return (
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({
      width,
      height,
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      ...a11y,
      'font-family': FONT_FAMILY,
      'font-size': 12,
      fill: INK,
    })}>` +
    head +
    el('rect', { width, height, fill: '#ffffff' }) +
    body +
    '</svg>'
  );
}

/** The chart title, centred on top. */
export function chartTitle(width: number, title: string): string {
  return text(width / 2, 26, title, { 'text-anchor': 'middle', 'font-size': 17, 'font-weight': 600 });
}

/** A centred message for charts without data, as the Python plots write "… not available". */
export function emptyMessage(size: ChartSize, message: string): string {
  return text(size.width / 2, size.height / 2, message, { 'text-anchor': 'middle', 'font-size': 15, fill: '#555555' });
}

export function resolveSize(opts: ChartOptions | undefined, width = 800, height = 500): ChartSize {
  const w = opts?.width ?? width;
  const h = opts?.height ?? height;
  if (!(w > 0 && h > 0)) throw new RangeError(`chart size must be positive, got ${w}×${h}`);
  return { width: w, height: h };
}
