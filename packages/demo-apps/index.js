// @ctr/demo-apps — where the static demo programs are, for the rootfs builder and the tests.
import { fileURLToPath } from 'node:url';

/** Absolute path of the directory `make` builds the programs into. */
export const buildDir = fileURLToPath(new URL('./build', import.meta.url));

/** Every program the Makefile builds, by file name inside {@link buildDir}. */
export const programs = Object.freeze(['server', 'client', 'threads-cpu', 'mem-hog', 'fork-bomb', 'chroot-escape', 'escape-probe']);
