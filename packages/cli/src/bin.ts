#!/usr/bin/env node
// bin.ts — the `ctr` executable (dist/ctr.cjs): runs the CLI bundle (dist/ctr-bundle.cjs, built from cli.ts)
// through the V8 code cache the build wrote beside it, or the one its first successful `ctr run` wrote
// (scripts/bundle-loader.mjs says why and how).
import path from 'node:path';
import { runBundle } from '../../../scripts/bundle-loader.mjs';

runBundle(path.join(__dirname, 'ctr-bundle.cjs'), 'ctr', 125, ['run']);
