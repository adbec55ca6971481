import { binAndLibraryConfig } from '../../tsup.base';

// cli.ts is the `ctrun` bin, index.ts the library (config model, state, hooks) a runtime library can use.
export default binAndLibraryConfig();
