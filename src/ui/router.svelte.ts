export const SECTIONS = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'model', label: 'Model' },
  { id: 'cartography', label: 'Cartography' },
  { id: 'clusters', label: 'Clusters' },
  { id: 'experiments', label: 'Experiments' },
  { id: 'runs', label: 'Runs' },
  { id: 'results', label: 'Results' },
  { id: 'settings', label: 'Settings' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

function parse(hash: string): SectionId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return (SECTIONS.find((s) => s.id === id)?.id ?? 'datasets') as SectionId;
}

/** Hash routing (#/section): works from any static path and offline, with no server rewrites. */
export class Router {
  current = $state<SectionId>(parse(location.hash));

  constructor() {
    addEventListener('hashchange', () => (this.current = parse(location.hash)));
  }

  href(id: SectionId): string {
    return `#/${id}`;
  }
}
