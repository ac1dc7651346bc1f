export { startServer } from './app.js';
export type { RunningServer } from './app.js';
export { loadConfig, isLoopback, DEFAULT_CONFIG, ENV } from './config.js';
export type { ServerConfig } from './config.js';
export { loadModels, isCellModel, disposeServed } from './models.js';
export type { ServedModel, ServedSessionModel } from './models.js';
export { ADAPTERS, withAdapters } from './adapters.js';
