export { expectNoLeaks } from './no-leaks.js';
export { expectClose, maxAbsDiff } from './close.js';
export type { Numeric } from './close.js';
export { gradCheck } from './grad-check.js';
export type { GradCheckOptions, GradCheckReport } from './grad-check.js';
export { loadGolden } from './golden.js';
export type { Golden } from './golden.js';
export { collect } from './collect.js';
export { soloOutputs } from './solo.js';
