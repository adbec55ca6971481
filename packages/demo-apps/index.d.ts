// Types for index.js: where the static demo programs are.

/** Absolute path of the directory `make` builds the programs into. */
export declare const buildDir: string;

/** Every program the Makefile builds, by file name inside {@link buildDir}. */
export declare const programs: readonly DemoProgram[];

export type DemoProgram = 'server' | 'client' | 'threads-cpu' | 'mem-hog' | 'fork-bomb' | 'chroot-escape' | 'escape-probe';
