// @ctr/rootfs — builds ctr's default root filesystem offline from this host, or imports a rootfs tarball
// safely. Both write atomically and skip work when the stamp shows nothing changed. See README.md.
export { buildDefaultRootfs, DEFAULT_ROOTFS_DIR } from './default-rootfs.js';
export type { BuildDefaultOptions, DefaultRootfsResult, DefaultRootfsSummary } from './default-rootfs.js';
export { stampPath } from './atomic.js';
export { RootfsError } from './errors.js';
export type { RootfsErrorCode } from './errors.js';
export { importRootfsTarball } from './import-tarball.js';
export type { ImportTarballOptions, ImportTarballResult } from './import-tarball.js';
export type { ExtractSummary } from './extract.js';
