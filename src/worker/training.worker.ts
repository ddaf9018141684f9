/// <reference lib="webworker" />
import { serve, type Handlers } from './router';
import { coreHandlers } from './handlers/core';

declare const self: DedicatedWorkerGlobalScope;

// Each feature contributes the handlers of its own API module (see protocol.ts).
const handlers: Handlers = {
  ...coreHandlers,
};

serve(self, handlers);
