// types.ts — what one step of `ctr demo` produces: a claim, host-vs-container evidence and a verdict. The
// terminal, --json and --html renderers all read this one shape, so they cannot show different evidence.
import type { Box } from './box.js';
import type { RunOptions } from '../runtime/run.js';

export const stepIds = ['namespaces', 'rootfs', 'hostname', 'processes', 'network', 'limits', 'escape'] as const;
export type StepId = (typeof stepIds)[number];

/** One row of evidence: what the host sees beside what the container sees. */
export interface Evidence {
  label: string;
  host: string;
  container: string;
}

/** A measured series for the page's charts: seconds since the run started → value. */
export interface Series {
  label: string;
  unit: string;
  points: [number, number][];
  /** a horizontal line to draw (the limit), in the series' unit */
  limit?: number;
}

export interface StepResult {
  step: number;
  id: StepId;
  title: string;
  claim: string;
  ok: boolean;
  evidence: Evidence[];
  /** output of the programs, verbatim (a few lines) */
  transcript: string[];
  /** when !ok: which part of the claim failed and why */
  why: string[];
  charts?: Series[][];
  seconds: number;
}

/** What a step gets: the rootfs, a scratch directory on the host, a way to start containers, progress. */
export interface DemoContext {
  rootfs: string;
  /** a host directory of the demo's own (outside the rootfs), removed at the end */
  scratch: string;
  start(opts: Omit<RunOptions, 'rootfs' | 'stdio' | 'onStart' | 'tty' | 'interactive'>): Box;
  progress(message: string): void;
}

export type StepBody = Omit<StepResult, 'step' | 'id' | 'title' | 'claim' | 'seconds'>;

export interface Step {
  id: StepId;
  title: string;
  claim: string;
  run(ctx: DemoContext): Promise<StepBody>;
}
