import { DEMO_BASE_DIR } from '../domain/train/demo-base';

/** The shipped demo base folder, absolute: a worker cannot resolve the app's relative base URL. */
export function demoBaseUrl(): string {
  return new URL(`${DEMO_BASE_DIR}/`, document.baseURI).href;
}
