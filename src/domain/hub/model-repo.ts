import { downloadHubFile, HubError, DEFAULT_HUB_ENDPOINT, type HubRequestOptions } from '../data/hub';

/** The files of a Hugging Face model repository that the lab needs to fine-tune it. */
export interface ModelRepoFiles {
  repo: string;
  revision: string;
  endpoint: string;
  config: Record<string, unknown>;
  tokenizer:
    | { kind: 'tokenizer.json'; json: unknown; tokenizerConfig: Record<string, unknown> | null }
    | { kind: 'vocab.txt'; vocab: string; tokenizerConfig: Record<string, unknown> | null };
  weights: { name: 'model.safetensors' | 'pytorch_model.bin'; bytes: Uint8Array };
}

export interface ModelDownloadProgress {
  file: string;
  loaded: number;
  total: number | null;
  /** Bytes of every file finished so far plus this one's. */
  overall: number;
}

const REPO_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

export function resolveUrl(endpoint: string, repo: string, revision: string, file: string): string {
  return `${endpoint.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${file}`;
}

/**
 * The repository's file names from the model API (`/api/models/{repo}/revision/{rev}`), or null
 * when the endpoint offers no API (a plain mirror): then files are tried in order of preference.
 */
async function listFiles(endpoint: string, repo: string, revision: string, opts: HubRequestOptions): Promise<Set<string> | null> {
  const f = opts.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await f(`${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`, {
      signal: opts.signal,
      headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new HubError(`Could not reach ${endpoint} for model "${repo}": ${(e as Error).message}`);
  }
  if (res.status === 404) {
    // Either the repo does not exist or the endpoint has no API; the resolve URLs will tell.
    return null;
  }
  if (res.status === 401 || res.status === 403) throw new HubError(`Model "${repo}": access denied (HTTP ${res.status}); it may be private or gated.`, res.status);
  if (!res.ok) return null;
  const body = (await res.json().catch(() => null)) as { siblings?: { rfilename?: unknown }[] } | null;
  if (!body || !Array.isArray(body.siblings)) return null;
  return new Set(body.siblings.map((s) => s.rfilename).filter((n): n is string => typeof n === 'string'));
}

function parseJson(bytes: Uint8Array, file: string, repo: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new HubError(`${repo}/${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Downloads config, tokenizer and weights of a model repository with byte progress.
 * Preference: tokenizer.json over vocab.txt, model.safetensors over pytorch_model.bin.
 */
export async function downloadModelRepo(
  repoId: string,
  opts: HubRequestOptions & { revision?: string; onProgress?: (p: ModelDownloadProgress) => void } = {},
): Promise<ModelRepoFiles> {
  const repo = repoId.trim();
  if (!REPO_ID.test(repo)) throw new HubError(`"${repoId}" is not a Hub model id (expected "name" or "owner/name")`);
  const endpoint = (opts.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
  const revision = opts.revision?.trim() || 'main';
  const listed = await listFiles(endpoint, repo, revision, opts);
  let overall = 0;

  const get = async (file: string): Promise<Uint8Array | null> => {
    if (listed && !listed.has(file)) return null;
    try {
      const src = await downloadHubFile(resolveUrl(endpoint, repo, revision, file), {
        ...opts,
        onProgress: (p) => opts.onProgress?.({ file, loaded: p.loaded, total: p.total, overall: overall + p.loaded }),
      });
      const bytes = new Uint8Array(await src.slice(0));
      overall += bytes.byteLength;
      return bytes;
    } catch (e) {
      if (e instanceof HubError && e.status === 404) return null;
      throw e;
    }
  };

  const configBytes = await get('config.json');
  if (!configBytes) throw new HubError(`Model "${repo}" (revision ${revision}) not found on ${endpoint}: it has no config.json.`, 404);
  const config = parseJson(configBytes, 'config.json', repo);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new HubError(`${repo}/config.json: expected a JSON object`);

  const tokCfgBytes = await get('tokenizer_config.json');
  const tokenizerConfig = tokCfgBytes ? (parseJson(tokCfgBytes, 'tokenizer_config.json', repo) as Record<string, unknown>) : null;
  let tokenizer: ModelRepoFiles['tokenizer'];
  const tokJson = await get('tokenizer.json');
  if (tokJson) tokenizer = { kind: 'tokenizer.json', json: parseJson(tokJson, 'tokenizer.json', repo), tokenizerConfig };
  else {
    const vocab = await get('vocab.txt');
    if (!vocab) throw new HubError(`Model "${repo}" has neither tokenizer.json nor vocab.txt`);
    tokenizer = { kind: 'vocab.txt', vocab: new TextDecoder().decode(vocab), tokenizerConfig };
  }

  let weights: ModelRepoFiles['weights'] | null = null;
  for (const name of ['model.safetensors', 'pytorch_model.bin'] as const) {
    const bytes = await get(name);
    if (bytes) {
      weights = { name, bytes };
      break;
    }
  }
  if (!weights) throw new HubError(`Model "${repo}" has neither model.safetensors nor pytorch_model.bin (sharded checkpoints are not supported)`);
  return { repo, revision, endpoint, config: config as Record<string, unknown>, tokenizer, weights };
}
