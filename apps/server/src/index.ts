export { startServer } from './app.js';
export type { RunningServer } from './app.js';
export { loadConfig, isLoopback, DEFAULT_CONFIG, ENV } from './config.js';
export type { ServerConfig } from './config.js';
export { loadModels } from './models.js';
export { isCellModel, disposeServed } from './served.js';
export type { ServedModel, ServedSessionModel } from './served.js';
export { ADAPTERS, withAdapters } from './adapters.js';
