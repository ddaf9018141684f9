import type { ServerResponse } from 'node:http';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { PluginOption } from 'vite';

export const ROOT: string;

export interface BenchPageOptions {
  /** The page's HTML file in bench/. */
  html: string;
  plugins?: PluginOption[];
  /** Chromium flags besides the ones every launch needs; default ['--headless']. */
  chromiumArgs?: string[];
  /** Headers added to every served file (e.g. COOP/COEP for a cross-origin isolated page). */
  headers?: Record<string, string>;
  /** A folder holding the page already built (its bench/<html> and assets): served as is, no Vite. */
  prebuilt?: string;
  /** Serves a path itself (returns true) before the built files are looked up. */
  route?: (path: string, res: ServerResponse) => boolean;
}

export interface BenchPageContext {
  browser: Browser;
  url: string;
  /** A new page at the bench page, once it says it is ready; page errors go to stderr. */
  openPage(options?: BrowserContextOptions): Promise<Page>;
}

export function withBenchPage<T>(options: BenchPageOptions, run: (ctx: BenchPageContext) => Promise<T>): Promise<T>;
