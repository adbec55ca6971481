// version.ts — the versions ctrun reports: its own (package.json) and the runtime-spec it implements.
import { createRequire } from 'node:module';

/** The runtime-spec version of the config.json format and state ctrun reads and writes. */
export const OCI_VERSION = '1.2.0';

const require = createRequire(import.meta.url);
export const CTRUN_VERSION: string = (require('../package.json') as { version: string }).version;

/** `ctrun --version`, shaped as runc prints it (podman shows the first line in `podman info`). */
export function versionText(): string {
  return `ctrun version ${CTRUN_VERSION}\nspec: ${OCI_VERSION}\nnode: ${process.version}\n`;
}
