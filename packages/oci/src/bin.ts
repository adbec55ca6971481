#!/usr/bin/env node
// bin.ts — the `ctrun` executable (dist/cli.js): runs the CLI bundle (dist/ctrun-bundle.cjs, built from cli.ts)
// through the V8 code cache the build wrote beside it (scripts/bundle-loader.mjs says why and how). An engine
// runs ctrun three times per container (create, start, delete), so its start is paid three times.
import { fileURLToPath } from 'node:url';
import { runBundle } from '../../../scripts/bundle-loader.mjs';

// runc's status for a failure of its own
runBundle(fileURLToPath(new URL('./ctrun-bundle.cjs', import.meta.url)), 'ctrun', 1);
