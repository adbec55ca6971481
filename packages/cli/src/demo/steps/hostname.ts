// hostname.ts — step 3: the container has the hostname it was given, and the host keeps its own. The name
// lives in the UTS namespace (uts_namespaces(7)): sethostname(2) inside a new one changes nothing outside.
import os from 'node:os';
import { finished, lines } from '../box.js';
import type { Step } from '../types.js';
import { hostNs, parseNsLinks } from './namespaces.js';

export const demoHostname = 'ctr-demo';

export const hostname: Step = {
  id: 'hostname',
  title: 'Hostname',
  claim: `hostname inside prints the name given (${demoHostname}), while the host's name is unchanged`,
  async run(ctx) {
    const before = os.hostname();
    const box = ctx.start({ command: ['/bin/sh', '-c', 'hostname; readlink /proc/self/ns/uts'], hostname: demoHostname, net: 'none' });
    const { output } = await finished(box);
    const after = os.hostname();
    const inside = output.split('\n')[0]?.trim() ?? '';
    const uts = parseNsLinks(output).get('uts') ?? '(not readable)';
    const why: string[] = [];
    if (inside !== demoHostname) {
      const shared = uts === hostNs('uts') ? `: the container is in the host's UTS namespace (${uts} on both sides), so it sees the host's name` : '';
      why.push(`hostname inside is "${inside}", not "${demoHostname}"${shared}`);
    }
    if (after !== before) why.push(`the host's hostname changed from "${before}" to "${after}"`);
    if (before === demoHostname) why.push(`the host is itself named "${demoHostname}": the comparison proves nothing`);
    return {
      ok: why.length === 0,
      evidence: [
        { label: 'hostname', host: `${before} (before) → ${after} (after)`, container: inside },
        { label: 'UTS namespace', host: hostNs('uts'), container: uts },
      ],
      transcript: lines(output),
      why,
    };
  },
};
