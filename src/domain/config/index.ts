/** Experiment configuration: Python-compatible dataclasses, schema, hash, import/export, suites, prerequisites. */
export * from './types';
export * from './defaults';
export * from './pyjson';
export * from './schema';
export * from './serialize';
export * from './import';
export * from './factories';
export * from './cli-args';
export * from './suites';
export * from './prerequisites';
