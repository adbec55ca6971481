// network.ts — step 5: the container has an IP address of its own (a veth end in its network namespace, on
// the ctr0 bridge), and the C client on the host reaches the C server started inside it. The client is the
// host's copy from @ctr/demo-apps, run here in the host's network namespace; the server is the rootfs's.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { buildDir } from '@ctr/demo-apps';
import { finished, lines } from '../box.js';
import type { Step } from '../types.js';

function runClient(ip: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(path.join(buildDir, 'client'), [ip], { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

export const network: Step = {
  id: 'network',
  title: 'Own IP address',
  claim: 'the container has its own IP address, and the host\'s C client receives the hello of the C server inside',
  async run(ctx) {
    const box = ctx.start({ command: ['/bin/sh', '-c', 'ip -4 -brief addr show eth0; exec server'] });
    let ip = '';
    let client = { code: -1, output: '(not run)' };
    try {
      ip = (await box.started).ip ?? '';
      await box.waitFor(/listening on/, 10_000);
      client = await runClient(ip);
      await box.waitFor(/accepted from/, 5_000).catch(() => undefined);
    } finally {
      box.kill();
    }
    const { output } = await finished(box);
    const inet = /\b(\d+\.\d+\.\d+\.\d+\/\d+)/.exec(output)?.[1] ?? '(no eth0 address)';
    const accepted = /accepted from (\S+)/.exec(output)?.[1] ?? '(nothing accepted)';
    const why: string[] = [];
    if (!ip || !inet.startsWith(`${ip}/`)) why.push(`eth0 inside has ${inet}, ctr gave ${ip || 'no address'}`);
    if (client.code !== 0 || !/hello/.test(client.output)) why.push(`the host client got no hello (exit ${client.code}: ${client.output})`);
    return {
      ok: why.length === 0,
      evidence: [
        { label: 'address', host: `ctr ps: ${ip || '-'}`, container: `eth0 ${inet}` },
        { label: `client ${ip} (host) → server (container)`, host: client.output, container: `accepted from ${accepted}` },
      ],
      transcript: [...lines(output), `host$ client ${ip}`, client.output],
      why,
    };
  },
};
