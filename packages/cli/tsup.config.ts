import { readFileSync } from 'node:fs';
import { binAndLibraryConfig } from '../../tsup.base';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// cli.ts is the bin; index.ts the library. The runtime's workspace packages are bundled in: Node 20's ESM
// loader spends 2-3 ms resolving and linking each module, which was most of `ctr ps` and a large part of
// `ctr run`. The addon itself still loads at run time from @ctr/ns-native's build/ (found by package name);
// @ctr/rootfs stays external, as only `ctr rootfs` loads it. The version is written in at build time, so
// `ctr --version` reads no file.
export default binAndLibraryConfig({
  noExternal: ['@ctr/cgroups', '@ctr/netns', '@ctr/ns-native'],
  define: { CTR_VERSION: JSON.stringify(version) },
});
