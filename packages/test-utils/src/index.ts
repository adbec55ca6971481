// @ctr/test-utils — helpers shared by the packages' tests. Consumed from source by vitest (no build step).
export { skipUnless, isRoot } from './requires.js';
export { hasTmux, TmuxSession } from './terminal.js';
