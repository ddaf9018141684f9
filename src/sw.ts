/// <reference lib="webworker" />
/**
 * The app's service worker: precaches the whole build for offline use and adds the headers that
 * make the pages cross-origin isolated (COOP same-origin + COEP credentialless), which static
 * hosts cannot send themselves. Isolation gives SharedArrayBuffer, so the threaded SIMD build of
 * tfjs-backend-wasm runs from the second page load on. COEP `credentialless` (not `require-corp`)
 * keeps cross-origin fetches working without CORP headers; the Hugging Face Hub downloads are CORS
 * fetches either way. Updates wait for the user (the prompt posts SKIP_WAITING).
 */
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import type { WorkboxPlugin } from 'workbox-core';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The same response with the isolation headers (opaque and error responses pass unchanged). */
function isolated(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) headers.set(k, v);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const isolate: WorkboxPlugin = { handlerWillRespond: async ({ response }) => isolated(response) };
addPlugins([isolate]);

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Every in-app address is the single page (hash routing; query strings such as ?backend=wasm).
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));
// Same-origin files outside the precache (none in a normal build) still get the headers, so an
// isolated page can load them; cross-origin requests are left to the browser.
registerRoute(
  ({ url, request }) => url.origin === self.location.origin && request.method === 'GET',
  async ({ request }) => isolated(await fetch(request)),
);

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
