// commands.ts — every verb of ctrun, each a small function of the parsed command: `state` and `list` read the
// state directory, `features` and `spec` describe and write configurations, the lifecycle verbs live in
// runtime/*. A handler's number, when it returns one, is ctrun's exit status (exec's program's).
import type { Command, GlobalOptions, Verb } from './args.js';
import { features } from './features.js';
import { writeAll, type Logger } from './log.js';
import { create } from './runtime/create.js';
import { exec } from './runtime/exec.js';
import { kill, pause, ps, remove, resume, start, update } from './runtime/lifecycle.js';
import { writeSpec } from './spec.js';
import { StateStore, type OciState } from './state.js';

type Handler<V extends Verb> = (
  command: Extract<Command, { verb: V }>,
  globals: GlobalOptions,
  logger: Logger,
) => void | number | Promise<void | number>;

const print = (text: string) => writeAll(1, text);

const state: Handler<'state'> = (command, globals) => {
  print(`${JSON.stringify(new StateStore(globals.root).state(command.id), null, 2)}\n`);
};

const list: Handler<'list'> = (command, globals) => {
  const store = new StateStore(globals.root);
  const states: OciState[] = [];
  for (const id of store.ids()) {
    try {
      states.push(store.state(id));
    } catch {
      // removed between readdir and read (a concurrent delete): not listed, as runc
    }
  }
  if (command.quiet) return print(states.map((s) => `${s.id}\n`).join(''));
  if (command.format === 'json') return print(`${JSON.stringify(states)}\n`);
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
  for (const s of states) rows.push([s.id, String(s.pid), s.status, s.bundle, s.created, s.owner]);
  print(table(rows));
};

/** Columns padded as Go's tabwriter does for runc (minimum width 12, one space of padding). */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(11, ...rows.map((row) => row[c]!.length)) + 1);
  return rows.map((row) => `${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('')}\n`).join('');
}

const featuresCommand: Handler<'features'> = () => print(`${JSON.stringify(features(), null, 2)}\n`);

const spec: Handler<'spec'> = (command) => {
  writeSpec(command.bundle, command.rootless);
};

/** The verbs the `ctrun` bin registers. */
export const HANDLERS: { [V in Verb]: Handler<V> } = {
  create, start, state, kill, delete: remove, exec, ps, pause, resume, update, list, features: featuresCommand, spec,
};
