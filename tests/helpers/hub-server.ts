import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Hugging Face Hub that serves fixture files under the Hub's URL shapes
 * (`/api/models/{repo}/revision/{rev}`, `/{repo}/resolve/{rev}/{file}` redirecting to a CDN path,
 * `/api/datasets/{id}/parquet...`). Only listens on 127.0.0.1. Records every request path.
 */
export interface FakeHub {
  endpoint: string;
  requests: string[];
  close(): Promise<void>;
}

export interface FakeHubRoutes {
  /** Model repos: repo id → file name → bytes. */
  models?: Record<string, Record<string, Uint8Array | string>>;
  /** Extra exact-path routes (JSON values are served as application/json). */
  paths?: Record<string, { status?: number; body: Uint8Array | string | object; headers?: Record<string, string> }>;
  /** Serve model API listings (a plain mirror has none). */
  modelApi?: boolean;
}

export async function startFakeHub(routes: FakeHubRoutes): Promise<FakeHub> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    requests.push(path);
    // The browser app fetches cross-origin, as it does from huggingface.co, which allows it.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', 'content-length');
    const send = (status: number, body: Uint8Array | string | object, headers: Record<string, string> = {}) => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body instanceof Uint8Array ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
      const type = typeof body === 'object' && !(body instanceof Uint8Array) ? 'application/json' : 'application/octet-stream';
      res.writeHead(status, { 'content-type': type, 'content-length': String(bytes.byteLength), ...headers });
      res.end(bytes);
    };
    const exact = routes.paths?.[path];
    if (exact) return send(exact.status ?? 200, exact.body, exact.headers);

    const api = path.match(/^\/api\/models\/(.+)\/revision\/([^/]+)$/);
    if (api && routes.modelApi !== false) {
      const files = routes.models?.[api[1]];
      if (!files) return send(404, { error: 'Repository not found' });
      return send(200, { id: api[1], sha: 'fixture', siblings: Object.keys(files).map((rfilename) => ({ rfilename })) });
    }
    const resolve = path.match(/^\/(.+)\/resolve\/([^/]+)\/(.+)$/);
    if (resolve) {
      const [, repo, rev, file] = resolve;
      if (!routes.models?.[repo]?.[file]) return send(404, { error: 'Entry not found' });
      res.writeHead(302, { location: `/cdn/${repo}/${rev}/${file}` });
      return res.end();
    }
    const cdn = path.match(/^\/cdn\/(.+)\/([^/]+)\/([^/]+)$/);
    if (cdn) {
      const body = routes.models?.[cdn[1]]?.[cdn[3]];
      if (body !== undefined) return send(200, typeof body === 'string' ? body : body);
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
