// index.ts — the demo's steps in the assignment's order; their number is their place in this list.
import type { Step } from '../types.js';
import { escape } from './escape.js';
import { hostname } from './hostname.js';
import { limits } from './limits.js';
import { namespaces } from './namespaces.js';
import { network } from './network.js';
import { processes } from './processes.js';
import { rootfs } from './rootfs.js';

export const steps: Step[] = [namespaces, rootfs, hostname, processes, network, limits, escape];
