import { libraryConfig } from '../../tsup.base';

export default libraryConfig('src/index.ts', ['esm', 'cjs']);
