// report.mjs — turns a results object into the markdown of results/latest.md and checks it against the
// targets named in the project's issues. Pure functions of the results, so the table can be re-rendered
// from latest.json and is unit-tested without running anything.
import { ratio } from './stats.mjs';

/** The project's targets (from its issues), each a function of the results. */
const targets = [
  {
    target: "ctr's own start cost ≤ 10 ms (ctr --net none − node -e 0)",
    check: (g) => {
      const v = g('start')?.extra?.ctrOwnMs?.none;
      return v === undefined ? undefined : { measured: `${v.toFixed(1)} ms`, met: v <= 10, by: `${(v - 10).toFixed(1)} ms over` };
    },
  },
  {
    target: "ctr's own start cost with the bridge ≤ 10 ms",
    check: (g) => {
      const v = g('start')?.extra?.ctrOwnMs?.bridge;
      return v === undefined ? undefined : { measured: `${v.toFixed(1)} ms`, met: v <= 10, by: `${(v - 10).toFixed(1)} ms over` };
    },
  },
  {
    target: 'ctr run --net none ≤ 1.0× runc run (same run)',
    check: (g) => bound(g('start')?.extra?.noneOverRunc, 1, '×', 2),
    // a Node CLI's run cannot take less than Node's own start
    floor: (g) => {
      const r = ratio(row(g('start'), 'node')?.summary, row(g('start'), 'runc')?.summary);
      return r === undefined ? undefined : `node -e 0 alone: ${r.toFixed(2)}× runc run`;
    },
  },
  {
    target: 'the bridge adds ≤ 1 ms to ctr run (bridge − none)',
    check: (g) => bound(g('start')?.extra?.bridgeOverNoneMs, 1, ' ms', 1),
  },
  {
    target: 'in-process (library) ≤ 2 ms per container with --net none',
    check: (g) => bound(row(g('start'), 'lib-none')?.summary.median, 2, ' ms', 1),
    // the kernel work of the same new namespaces, a fork and the exec of /bin/true, without cgroup or rootfs
    floor: (g) => {
      const v = row(g('start'), 'unshare')?.summary.median;
      return v === undefined ? undefined : `unshare(1) with the same namespaces, no cgroup, no rootfs: ${v.toFixed(1)} ms`;
    },
  },
  {
    target: 'in-process (library) ≤ 4 ms per container with the bridge',
    check: (g) => bound(row(g('start'), 'lib-bridge')?.summary.median, 4, ' ms', 1),
  },
  {
    target: '≥ 500 containers/s at once (library, 50 at once, --net none)',
    check: (g) => bound(g('start')?.extra?.libraryPerSecond?.none, 500, '/s', 0, true),
    floor: (g, machine) => {
      const v = row(g('start'), 'unshare')?.summary.median;
      return v === undefined || !machine ? undefined : `unshare(1) on all ${machine.cores} cores at once: ${Math.round((machine.cores * 1000) / v)}/s at most`;
    },
  },
  {
    target: 'network setup ≤ 1 ms',
    check: (g) => {
      const v = row(g('netsetup'), 'netns')?.summary.median;
      return v === undefined ? undefined : { measured: `${v.toFixed(3)} ms`, met: v <= 1, by: `${(v - 1).toFixed(3)} ms over` };
    },
  },
  {
    target: 'network setup ≥ 40× faster than ip (best case: 2 execs)',
    check: (g) => {
      const r = ratio(row(g('netsetup'), 'ip-batch')?.summary, row(g('netsetup'), 'netns')?.summary);
      return r === undefined ? undefined : { measured: `${r.toFixed(1)}×`, met: r >= 40, by: `${(40 - r).toFixed(1)}× short` };
    },
  },
  {
    target: 'CPU share under --cpus 0.5 within 2 %',
    check: (g) => {
      const e = row(g('cpu'), 'ctr')?.errorPct;
      return e === undefined ? undefined : { measured: `${e >= 0 ? '+' : ''}${e.toFixed(2)} %`, met: Math.abs(e) <= 2, by: `${(Math.abs(e) - 2).toFixed(2)} points over` };
    },
  },
  {
    target: 'no leftovers after the scale runs',
    check: (g) => {
      const n = g('scale')?.extra?.leftovers;
      return n === undefined ? undefined : { measured: String(n), met: n === 0, by: `${n} objects left` };
    },
  },
  {
    target: 'host memory per detached container ≤ 1 MiB PSS (ctr run -d: its shim)',
    check: (g) => {
      const v = row(g('detached-pss'), 'ctr')?.summary.median;
      return v === undefined ? undefined : { measured: `${v.toFixed(2)} MiB`, met: v <= 1, by: `${(v - 1).toFixed(2)} MiB over` };
    },
  },
  {
    target: '100 detached containers all answering ≤ 10 s',
    check: (g) => {
      const group = g('scale-detached');
      const v = row(group, 'all')?.summary.median;
      if (v === undefined || group.extra.scale !== 100) return undefined;
      const { failed } = group.extra;
      const over = `${((v - 10_000) / 1000).toFixed(1)} s over`;
      return {
        measured: `${(v / 1000).toFixed(1)} s${failed > 0 ? `, ${failed} never answered` : ''}`,
        met: v <= 10_000 && failed === 0,
        by: failed > 0 ? `${failed} containers never answered${v > 10_000 ? `; ${over}` : ''}` : over,
      };
    },
  },
  {
    target: 'no address conflicts and no leftovers after `ctr rm -f` of the detached scale runs',
    check: (g) => {
      const e = g('scale-detached')?.extra;
      if (e === undefined) return undefined;
      const n = e.conflicts + e.leftovers;
      return { measured: `${e.conflicts} conflicts, ${e.leftovers} leftovers`, met: n === 0, by: `${n} too many` };
    },
  },
];

/** A target `value ≤ limit` (`atLeast`: ≥), as checkTargets wants it; undefined when not measured. */
function bound(value, limit, unit, digits, atLeast = false) {
  if (value === undefined) return undefined;
  const miss = `${Math.abs(value - limit).toFixed(digits)}${unit} ${atLeast ? 'short' : 'over'}`;
  return { measured: `${value.toFixed(digits)}${unit}`, met: atLeast ? value >= limit : value <= limit, by: miss };
}

function row(group, id) {
  return group?.rows?.find((r) => r.id === id);
}

/**
 * Checks the targets against a results object; a target whose measure did not run is left out. `floor`: what
 * a lower bound measured in the same run allows (a peer that does less than ctr), where one applies.
 * @param {{ groups: object[], machine?: { cores: number } }} results
 * @returns {{ target: string, measured: string, met: boolean, missedBy?: string, floor?: string }[]}
 */
export function checkTargets(results) {
  const g = (id) => results.groups.find((x) => x.id === id && !x.error);
  return targets.flatMap(({ target, check, floor }) => {
    const r = check(g);
    if (!r) return [];
    const bound = floor?.(g, results.machine);
    return [{ target, measured: r.measured, met: r.met, ...(r.met ? {} : { missedBy: r.by }), ...(bound ? { floor: bound } : {}) }];
  });
}

/**
 * A number with `digits` decimals, or `—` when absent.
 * @param {number | undefined} v
 * @param {number} digits
 */
export function fmt(v, digits) {
  return v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

function loadLine(group) {
  const w = group.wait;
  const l = group.load;
  const waited = w ? `waited ${(w.waitedMs / 1000).toFixed(0)} s for load ${w.load1}${w.quiet ? '' : ' (max wait reached, machine not quiet)'}; ` : '';
  return l ? `_Machine during this group: ${waited}load ${l.load1Start} → ${l.load1End}, CPUs ${l.busyPct} % busy over ${l.seconds} s._` : '';
}

/**
 * Renders one result group as a markdown section.
 * @param {object} group
 */
export function renderGroup(group) {
  const lines = [`### ${group.title}`, ''];
  if (group.error) {
    lines.push(`Not measured: ${group.error}`, '', loadLine(group), '');
    return lines.join('\n');
  }
  const subjects = group.subjects ?? [];
  const head = ['', `median (${group.unit})`, 'min', 'max', 'n', ...subjects.map((s) => `${s.label} ÷ row`)];
  lines.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of group.rows) {
    if (r.error) {
      // a runtime that failed (e.g. a verb it lacks) is a row saying so, not a missing table
      lines.push(`| ${[r.label, `failed: ${r.error.replaceAll('|', '\\|')}`, '—', '—', 0, ...subjects.map(() => '—')].join(' | ')} |`);
      continue;
    }
    const ratios = subjects.map((s) => {
      const q = ratio(row(group, s.id)?.summary, r.summary);
      return s.id === r.id ? '1' : q === undefined ? '—' : `${q.toFixed(q < 10 ? 2 : 1)}×`;
    });
    const s = r.summary;
    lines.push(`| ${[r.label, fmt(s.median, group.digits), fmt(s.min, group.digits), fmt(s.max, group.digits), s.n, ...ratios].join(' | ')} |`);
  }
  lines.push('');
  for (const note of group.notes ?? []) lines.push(note, '');
  lines.push(loadLine(group), '');
  return lines.join('\n');
}

/**
 * The whole latest.md: machine, date, command, targets, then one table per group.
 * @param {object} results
 */
export function renderMarkdown(results) {
  const m = results.machine;
  const lines = [
    `## Performance${results.quick ? ' (quick pass: indicative only)' : ''}`,
    '',
    `Measured ${results.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ` +
      `${m.distro}, kernel ${m.kernel}, Node ${m.node}; ${results.seconds} s in all. ` +
      `Reproduce (as root, after \`pnpm build\`): \`${results.command}\`.`,
    '',
    `Peers: ${Object.entries(results.peers.versions).map(([k, v]) => `${k} (${v})`).join(', ')}.` +
      (results.peers.missing.length > 0 ? ` Missing, skipped: ${results.peers.missing.join(', ')}.` : ''),
    '',
    'Wall times are medians of interleaved runs, spawned by the harness with a scrubbed environment; ' +
      'a ratio column is that subject’s median divided by the row’s (above 1: the subject is slower).',
    '',
  ];
  if (results.targets.length > 0) {
    lines.push('| target | measured | met | floor in the same run |', '| --- | ---: | :---: | --- |');
    for (const t of results.targets) {
      lines.push(`| ${t.target} | ${t.measured} | ${t.met ? 'yes' : `no (${t.missedBy})`} | ${t.floor ?? '—'} |`);
    }
    lines.push('');
  }
  for (const group of results.groups) lines.push(renderGroup(group));
  return `${lines.join('\n').trimEnd()}\n`;
}
