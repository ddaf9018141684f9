import { bufferSource, type ByteSource } from './byte-source';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** Parquet files of one config of a Hub dataset: split name → file URLs in shard order. */
export interface HubParquetListing {
  dataset: string;
  config: string;
  /** Every config the dataset has (to offer a choice). */
  configs: string[];
  splits: Record<string, string[]>;
}

export interface HubRequestOptions {
  endpoint?: string;
  signal?: AbortSignal;
  /** Injected for tests and for environments without a global fetch. */
  fetch?: typeof fetch;
  /** Optional Hugging Face access token for private or gated datasets. */
  token?: string;
}

export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const DATASET_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

function base(opts: HubRequestOptions): string {
  return (opts.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
}

function headers(opts: HubRequestOptions): Record<string, string> {
  return opts.token ? { Authorization: `Bearer ${opts.token}` } : {};
}

async function hubGet(url: string, what: string, opts: HubRequestOptions): Promise<Response> {
  const f = opts.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await f(url, { signal: opts.signal, headers: headers(opts), redirect: 'follow' });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new HubError(`Could not reach ${url} for ${what}: ${(e as Error).message}`);
  }
  if (res.ok) return res;
  let detail = '';
  try {
    const body = (await res.json()) as { error?: unknown };
    if (typeof body?.error === 'string') detail = ` (${body.error})`;
  } catch {
    // Not every error page is JSON.
  }
  if (res.status === 404) throw new HubError(`${what}: not found on ${base(opts)}${detail}. Check the dataset id, config and split.`, 404);
  if (res.status === 401 || res.status === 403) {
    throw new HubError(`${what}: access denied (HTTP ${res.status})${detail}. The dataset may be private or gated; it needs an access token.`, res.status);
  }
  throw new HubError(`${what}: the Hub answered HTTP ${res.status}${detail}`, res.status);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkUrls(v: unknown, where: string, endpoint: string): string[] {
  if (!Array.isArray(v) || v.some((u) => typeof u !== 'string')) throw new HubError(`Unexpected parquet listing: ${where} is not a list of URLs`);
  return (v as string[]).map((u) => new URL(u, `${endpoint}/`).toString());
}

/**
 * Lists a dataset's Parquet files through the Hub's parquet listing
 * (`GET {endpoint}/api/datasets/{id}/parquet` → {config: {split: [url]}}). Without a config it takes
 * the only one, or "default"; with several and none given, it asks for one by name.
 */
export async function listHubParquet(dataset: string, config: string | undefined, opts: HubRequestOptions = {}): Promise<HubParquetListing> {
  const id = dataset.trim();
  if (!DATASET_ID.test(id)) throw new HubError(`"${dataset}" is not a Hub dataset id (expected "name" or "owner/name")`);
  const endpoint = base(opts);
  const res = await hubGet(`${endpoint}/api/datasets/${id}/parquet`, `Dataset "${id}"`, opts);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new HubError(`The parquet listing of "${id}" is not JSON`);
  }
  if (!isObject(body)) throw new HubError(`Unexpected parquet listing for "${id}": expected an object of configs`);
  const configs = Object.keys(body);
  if (configs.length === 0) throw new HubError(`Dataset "${id}" has no Parquet files (the Hub may still be converting it)`);
  let chosen = config?.trim() || undefined;
  if (chosen === undefined) {
    if (configs.length === 1) chosen = configs[0];
    else if (configs.includes('default')) chosen = 'default';
    else throw new HubError(`Dataset "${id}" has several configs; choose one of: ${configs.join(', ')}`);
  }
  const splitsRaw = body[chosen];
  if (splitsRaw === undefined) throw new HubError(`Dataset "${id}" has no config "${chosen}"; it has: ${configs.join(', ')}`);
  if (!isObject(splitsRaw)) throw new HubError(`Unexpected parquet listing: config "${chosen}" is not an object of splits`);
  const splits: Record<string, string[]> = {};
  for (const [split, urls] of Object.entries(splitsRaw)) splits[split] = checkUrls(urls, `${chosen}/${split}`, endpoint);
  return { dataset: id, config: chosen, configs, splits };
}

/** The file URLs of one split (`GET {endpoint}/api/datasets/{id}/parquet/{config}/{split}` → [url]). */
export async function listHubSplitFiles(dataset: string, config: string, split: string, opts: HubRequestOptions = {}): Promise<string[]> {
  const endpoint = base(opts);
  const path = `${endpoint}/api/datasets/${dataset}/parquet/${encodeURIComponent(config)}/${encodeURIComponent(split)}`;
  const res = await hubGet(path, `Split "${split}" of "${dataset}" (config "${config}")`, opts);
  return checkUrls(await res.json(), `${config}/${split}`, endpoint);
}

export interface DownloadProgress {
  url: string;
  loaded: number;
  /** From Content-Length, when the server sends it. */
  total: number | null;
}

function fileLabel(url: string): string {
  try {
    const path = decodeURIComponent(new URL(url).pathname);
    // Listing URLs name the dataset: /api/datasets/{id}/parquet/{config}/{split}/{n}.parquet
    const m = /\/api\/datasets\/(.+)\/parquet\/(.+)$/.exec(path);
    return m ? `${m[1]}/${m[2]}` : path.split('/').slice(-3).join('/');
  } catch {
    return url;
  }
}

/**
 * Downloads one file with byte progress, following redirects. When the size is announced the buffer
 * is allocated once and filled in place, so the file is held once; a body shorter (or longer) than
 * announced is an error naming the byte counts.
 */
export async function downloadHubFile(url: string, opts: HubRequestOptions & { onProgress?: (p: DownloadProgress) => void } = {}): Promise<ByteSource> {
  const name = fileLabel(url);
  const res = await hubGet(url, `File ${name}`, opts);
  const announced = Number(res.headers.get('content-length'));
  const total = Number.isFinite(announced) && announced > 0 && !res.headers.get('content-encoding') ? announced : null;
  if (!res.body) throw new HubError(`File ${name}: the response has no body`);
  const reader = res.body.getReader();
  let loaded = 0;
  let buf = new Uint8Array(total ?? 1 << 20);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.byteLength > buf.byteLength) {
        if (total !== null) throw new HubError(`File ${name}: received more than the announced ${total} bytes`);
        const bigger = new Uint8Array(Math.max(buf.byteLength * 2, loaded + value.byteLength));
        bigger.set(buf.subarray(0, loaded));
        buf = bigger;
      }
      buf.set(value, loaded);
      loaded += value.byteLength;
      opts.onProgress?.({ url, loaded, total });
    }
  } catch (e) {
    if ((e as Error).name === 'AbortError' || e instanceof HubError) throw e;
    if (opts.signal?.aborted) throw opts.signal.reason ?? e;
    throw new HubError(`File ${name}: the download broke off after ${loaded}${total ? ` of ${total}` : ''} bytes (${(e as Error).message})`);
  }
  if (total !== null && loaded !== total) throw new HubError(`File ${name}: the download is truncated (${loaded} of ${total} bytes)`);
  return bufferSource(name, buf.subarray(0, loaded));
}
