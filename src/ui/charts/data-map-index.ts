/**
 * A uniform grid over points in screen space, for hit-testing a scatter of ~10⁵ points on every
 * pointer move and for brushing. Built in O(n) with a counting sort into cells (two typed arrays,
 * no per-point objects); a query looks only at the cells a radius or rectangle touches.
 */
export class PointGrid {
  readonly n: number;
  private readonly cols: number;
  private readonly rows: number;
  /** Prefix offsets into `items`, one per cell plus one. */
  private readonly cellStart: Uint32Array;
  /** Point indices ordered by cell. */
  private readonly items: Uint32Array;

  /**
   * @param xs, ys screen coordinates (NaN points are left out)
   * @param width, height the area the points lie in, from (0, 0); points outside are clamped into the edge cells
   * @param cellSize cell edge in pixels (about the hit radius works well)
   */
  constructor(
    readonly xs: Float32Array,
    readonly ys: Float32Array,
    readonly width: number,
    readonly height: number,
    readonly cellSize = 8,
  ) {
    if (xs.length !== ys.length) throw new RangeError(`PointGrid: ${xs.length} x values for ${ys.length} y values`);
    if (!(cellSize > 0)) throw new RangeError(`PointGrid: cell size must be positive, got ${cellSize}`);
    this.n = xs.length;
    this.cols = Math.max(1, Math.ceil(width / cellSize));
    this.rows = Math.max(1, Math.ceil(height / cellSize));
    const cells = this.cols * this.rows;
    const cellOf = new Int32Array(this.n);
    const counts = new Uint32Array(cells + 1);
    for (let i = 0; i < this.n; i++) {
      const x = xs[i];
      const y = ys[i];
      if (Number.isNaN(x) || Number.isNaN(y)) {
        cellOf[i] = -1;
        continue;
      }
      const c = this.cellAt(x, y);
      cellOf[i] = c;
      counts[c + 1]++;
    }
    for (let c = 0; c < cells; c++) counts[c + 1] += counts[c];
    this.cellStart = counts;
    const fill = counts.slice(0, cells);
    this.items = new Uint32Array(counts[cells]);
    for (let i = 0; i < this.n; i++) if (cellOf[i] >= 0) this.items[fill[cellOf[i]]++] = i;
  }

  private col(x: number): number {
    return Math.min(this.cols - 1, Math.max(0, Math.floor(x / this.cellSize)));
  }

  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor(y / this.cellSize)));
  }

  private cellAt(x: number, y: number): number {
    return this.row(y) * this.cols + this.col(x);
  }

  /**
   * The point nearest to (x, y) within `radius` pixels, or -1. Ties go to the later index
   * (the one drawn on top when points are drawn in index order).
   */
  nearest(x: number, y: number, radius: number): number {
    let best = -1;
    let bestD = radius * radius;
    const c0 = this.col(x - radius);
    const c1 = this.col(x + radius);
    const r0 = this.row(y - radius);
    const r1 = this.row(y + radius);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * this.cols + c;
        for (let k = this.cellStart[cell]; k < this.cellStart[cell + 1]; k++) {
          const i = this.items[k];
          const dx = this.xs[i] - x;
          const dy = this.ys[i] - y;
          const d = dx * dx + dy * dy;
          if (d < bestD || (d === bestD && i > best)) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }

  /** Indices (ascending) of the points inside the rectangle, edges included. */
  inRect(x0: number, y0: number, x1: number, y1: number): Uint32Array {
    const [xa, xb] = x0 <= x1 ? [x0, x1] : [x1, x0];
    const [ya, yb] = y0 <= y1 ? [y0, y1] : [y1, y0];
    const out: number[] = [];
    for (let r = this.row(ya); r <= this.row(yb); r++) {
      for (let c = this.col(xa); c <= this.col(xb); c++) {
        const cell = r * this.cols + c;
        for (let k = this.cellStart[cell]; k < this.cellStart[cell + 1]; k++) {
          const i = this.items[k];
          const x = this.xs[i];
          const y = this.ys[i];
          if (x >= xa && x <= xb && y >= ya && y <= yb) out.push(i);
        }
      }
    }
    return Uint32Array.from(out).sort();
  }
}
