/**
 * Browser only: PNG export of a canvas-backed scatter (data map, cluster map) at 2× by composing
 * its layers — the SVG under-layer (with its white background), the points redrawn at the export
 * scale, and the transparent SVG over-layer — on one canvas.
 */
import type { PixelBuffer } from './data-map';

/** Loads an SVG string as an image (for drawing on a canvas). */
export async function loadSvgImage(svg: string): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the browser could not load the chart SVG as an image'));
      img.src = url;
    });
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export interface LayeredPng {
  width: number;
  height: number;
  under: string;
  over: string;
  /** The plot area the points live in (CSS px of the chart). */
  plot: { left: number; top: number; right: number; bottom: number };
  /** The points rasterised for the plot area at the given scale (see rasterizePoints). */
  points(scale: number): PixelBuffer;
}

export async function layeredPng(chart: LayeredPng, scale = 2): Promise<Blob> {
  if (!(scale > 0)) throw new RangeError(`scale must be positive, got ${scale}`);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(chart.width * scale);
  canvas.height = Math.round(chart.height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context available');
  const [under, over] = await Promise.all([loadSvgImage(chart.under), loadSvgImage(chart.over)]);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(under, 0, 0, canvas.width, canvas.height);
  // putImageData replaces pixels; the points go through their own canvas so they blend over the frame.
  const buf = chart.points(scale);
  const layer = document.createElement('canvas');
  layer.width = buf.width;
  layer.height = buf.height;
  layer.getContext('2d')?.putImageData(new ImageData(buf.data as Uint8ClampedArray<ArrayBuffer>, buf.width, buf.height), 0, 0);
  ctx.drawImage(layer, Math.round(chart.plot.left * scale), Math.round(chart.plot.top * scale));
  ctx.drawImage(over, 0, 0, canvas.width, canvas.height);
  return new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas.toBlob returned nothing'))), 'image/png'));
}
