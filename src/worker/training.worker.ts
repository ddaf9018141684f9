/// <reference lib="webworker" />
import { serve, type Handlers } from './router';
import { coreHandlers } from './handlers/core';
import { experimentHandlers } from './handlers/experiment';
import { embeddingsHandlers } from './handlers/embeddings';
import { trainHandlers } from './handlers/train';

declare const self: DedicatedWorkerGlobalScope;

// Each feature contributes the handlers of its own API module (see protocol.ts).
const handlers: Handlers = {
  ...coreHandlers,
  ...experimentHandlers,
  ...embeddingsHandlers,
  ...trainHandlers,
};

serve(self, handlers);
