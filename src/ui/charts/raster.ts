/**
 * Browser only: rasterises a chart SVG string to a PNG Blob through an <img> and a <canvas>
 * (default 2× for sharp figures in papers and on high-density screens). Not for Node: the CLI
 * writes the SVG itself.
 */
function svgSize(svg: string): { width: number; height: number } {
  const open = /<svg\b[^>]*>/.exec(svg);
  const w = open && /\swidth="([\d.]+)"/.exec(open[0]);
  const h = open && /\sheight="([\d.]+)"/.exec(open[0]);
  const width = w ? Number(w[1]) : NaN;
  const height = h ? Number(h[1]) : NaN;
  if (!(width > 0 && height > 0)) throw new SyntaxError('svgToPngBlob: the root <svg> needs numeric width and height attributes');
  return { width, height };
}

export async function svgToPngBlob(svg: string, scale = 2): Promise<Blob> {
  if (!(scale > 0 && Number.isFinite(scale))) throw new RangeError(`svgToPngBlob: scale must be a positive number, got ${scale}`);
  const { width, height } = svgSize(svg);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('svgToPngBlob: the browser could not load the SVG as an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('svgToPngBlob: no 2D canvas context available');
    // The charts paint their own white background; this covers SVGs that do not.
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => {
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('svgToPngBlob: canvas.toBlob returned nothing'))), 'image/png');
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}
