#!/usr/bin/env node
// bin.ts — the `ctr` executable (dist/ctr.cjs): runs the CLI bundle (dist/ctr-bundle.cjs, built from cli.ts)
// through the V8 code cache the build wrote beside it, or the one its first successful `ctr run` wrote
// (scripts/bundle-loader.mjs says why and how).
import path from 'node:path';
import { runBundle } from '../../../scripts/bundle-loader.mjs';

// `ctr run` gets a run code cache per network mode: one taken from a `--net none` run holds no network code.
// (A `--net none` among the container's own arguments only picks the other cache: harmless.)
function variantOf(argv: string[]): string | undefined {
  if (argv.find((arg) => !arg.startsWith('-')) !== 'run') return undefined;
  const net = argv.indexOf('--net');
  return argv.includes('--net=none') || (net >= 0 && argv[net + 1] === 'none') ? 'run-none' : 'run';
}

runBundle(path.join(__dirname, 'ctr-bundle.cjs'), 'ctr', 125, variantOf);
