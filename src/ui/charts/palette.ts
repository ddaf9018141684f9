/**
 * Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"): eight colours that stay
 * distinguishable under the common colour-vision deficiencies. Yellow is last because it has too
 * little contrast on white for thin lines.
 */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** Series colours in the order charts hand them out (readable on white first). */
export const SERIES_COLORS: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.orange,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.black,
  OKABE_ITO.yellow,
];

/** Dash patterns used with the colours once there are more series than colours. */
export const SERIES_DASHES: readonly (string | null)[] = [null, '6 3', '2 3', '8 3 2 3'];

export function seriesStyle(i: number): { color: string; dash: string | null } {
  return {
    color: SERIES_COLORS[i % SERIES_COLORS.length],
    dash: SERIES_DASHES[Math.floor(i / SERIES_COLORS.length) % SERIES_DASHES.length],
  };
}

export const INK = '#222222';
export const MUTED_INK = '#555555';
export const GRID = '#e3e3e3';
