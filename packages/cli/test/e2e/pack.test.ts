// pack.test.ts — what a user gets from the registry: every public workspace package packed with `pnpm pack`,
// the tarballs installed with plain npm into an empty prefix in a temporary directory (no workspace, no
// repository on PATH or on the module path; third-party dependencies come from the registry), and there
// `ctr --version`, `ctr rootfs build`, `ctr run` (with no ROOTFS: the default rootfs of the store) and the
// README examples of @ctr/cgroups and @ctr/netns, run as ES module and CommonJS consumers and type-checked.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCidr, parseIpv4, subnetContains } from '@ctr/netns';
import { isRoot, skipUnless } from '@ctr/test-utils';
import { expectNothingLeaked, host, type CtrResult } from '../helpers.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** The workspace's package directories, from pnpm-workspace.yaml (`dir/*` or `dir` entries). */
function workspacePackageDirs(): string[] {
  const entries = [...readFileSync(path.join(repo, 'pnpm-workspace.yaml'), 'utf8').matchAll(/^\s+-\s+"?([^"\n]+)"?$/gm)];
  return entries.flatMap(([, entry]) => {
    const dir = path.join(repo, entry!.replace(/\/\*$/, ''));
    const dirs = entry!.endsWith('/*') ? readdirSync(dir).map((d) => path.join(dir, d)) : [dir];
    return dirs.filter((d) => statSync(path.join(d, 'package.json'), { throwIfNoEntry: false })?.isFile());
  });
}

/** `<!-- pack-test: NAME -->` followed by a fenced block, in a README: NAME → the block's code. */
function readmeExamples(readme: string): Map<string, string> {
  return new Map([...readme.matchAll(/<!-- pack-test: (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map(([, name, code]) => [name!, code!]));
}

const publicPackages = workspacePackageDirs()
  .map((dir) => ({ dir, manifest: readJson<Manifest>(path.join(dir, 'package.json')) }))
  .filter((p) => !p.manifest.private);

describe.skipIf(skipUnless('packed packages installed with npm outside the repository', { root: isRoot }))(
  'npm install of the packed packages',
  () => {
    expectNothingLeaked();

    let tmp: string, packs: string, prefix: string, store: string, modules: string, ctrBin: string;
    let env: NodeJS.ProcessEnv;
    const inPrefix = (cmd: string, args: string[], timeoutMs = 30_000): Promise<CtrResult> =>
      host(cmd, args, timeoutMs, { cwd: prefix, env });
    const ok = (r: CtrResult): CtrResult => {
      expect(r, `status ${r.code}; stderr: ${r.stderr}`).toMatchObject({ code: 0 });
      return r;
    };
    const timings: Record<string, number> = {};
    const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
      const t0 = Date.now();
      const result = await step();
      timings[what] = Date.now() - t0;
      return result;
    };

    beforeAll(async () => {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'ctr-pack-'));
      packs = path.join(tmp, 'packs');
      prefix = path.join(tmp, 'prefix');
      store = path.join(tmp, 'rootfs-store');
      modules = path.join(prefix, 'node_modules');
      ctrBin = path.join(modules, '.bin/ctr');
      // Nothing of the repository: node's own directory and the system's. ctr's network settings pass
      // through, so the installed ctr shares the bridge the host's ctr uses.
      env = {
        PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
        HOME: tmp,
        npm_config_cache: path.join(tmp, 'npm-cache'),
        npm_config_update_notifier: 'false',
        npm_config_fund: 'false',
        npm_config_audit: 'false',
        CTR_ROOTFS_DIR: store,
        ...Object.fromEntries(['CTR_SUBNET', 'CTR_BRIDGE', 'CTR_STATE_DIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
      };
      mkdirSync(packs);
      mkdirSync(prefix);
      writeFileSync(path.join(prefix, 'package.json'), '{ "private": true }\n');
      await timed('pnpm pack', async () => {
        for (const { dir } of publicPackages) ok(await host('pnpm', ['pack', '--pack-destination', packs], 60_000, { cwd: dir }));
      });
      const tarballs = readdirSync(packs).map((f) => path.join(packs, f));
      // @types/node for the type check of the consumers, at the workspace's version.
      const typesNode = `@types/node@${readJson<Manifest>(path.join(repo, 'package.json')).devDependencies!['@types/node']}`;
      await timed('npm install', async () => ok(await inPrefix('npm', ['install', ...tarballs, typesNode], 180_000)));
    }, 300_000);

    afterAll(() => {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      console.log(`pack test steps (ms): ${JSON.stringify(timings)}`);
    });

    it('packs every public package with its workspace dependencies as versions', () => {
      expect(publicPackages.map((p) => p.manifest.name)).toEqual(
        expect.arrayContaining(['@ctr/cli', '@ctr/ns-native', '@ctr/netns', '@ctr/cgroups', '@ctr/demo-apps', '@ctr/rootfs']),
      );
      expect(readdirSync(packs)).toHaveLength(publicPackages.length);
      for (const { manifest } of publicPackages) {
        const installed = readJson<Manifest>(path.join(modules, manifest.name, 'package.json'));
        expect(installed.version).toBe(manifest.version);
        for (const [dep, range] of Object.entries(installed.dependencies ?? {})) {
          expect(range, `${manifest.name} → ${dep}`).not.toMatch(/^workspace:/);
        }
      }
    });

    it('ships the addon prebuilt and the static programs; nothing was compiled at install', async () => {
      const native = path.join(modules, '@ctr/ns-native');
      const r = ok(await inPrefix('node', ['-p', `require('node-gyp-build').resolve(${JSON.stringify(native)})`]));
      expect(path.relative(native, r.stdout.trim())).toMatch(/^prebuilds\/linux-x64\/[^/]+\.glibc\.node$/);
      expect(statSync(path.join(native, 'build/Release'), { throwIfNoEntry: false })).toBeUndefined();
      // Everything built into these directories ships, executable: pnpm pack keeps the mode bits only of
      // `bin` files and those in publishConfig.executableFiles (exact paths; it takes no globs).
      for (const [pkg, dir] of [['packages/ns-native', 'build/static'], ['packages/demo-apps', 'build']] as const) {
        const name = readJson<Manifest>(path.join(repo, pkg, 'package.json')).name;
        const installed = path.join(modules, name, dir);
        expect(readdirSync(installed).sort()).toEqual(readdirSync(path.join(repo, pkg, dir)).sort());
        for (const file of readdirSync(installed)) {
          const mode = statSync(path.join(installed, file)).mode;
          expect(mode & 0o111, `${name}/${dir}/${file} is not executable: list it in publishConfig.executableFiles`).toBe(0o111);
        }
      }
    });

    it('ctr --version, also through npx', async () => {
      const version = readJson<Manifest>(path.join(repo, 'packages/cli/package.json')).version;
      expect(ok(await inPrefix(ctrBin, ['--version'])).stdout).toMatch(new RegExp(`^ctr version ${version.replace(/\./g, '\\.')} `));
      expect(ok(await inPrefix('npx', ['@ctr/cli', '--version'])).stdout).toContain(`ctr version ${version}`);
    }, 60_000);

    it('ctr run with no rootfs built says so in one line, exit 125, and makes nothing', async () => {
      const r = await inPrefix(ctrBin, ['run', '--net', 'none', '/bin/true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toBe(`ctr: "/bin/true" is neither a directory nor a rootfs in ${store}, and no default rootfs exists at ${store}/default to run it in: build it with \`ctr rootfs build\` or give a rootfs directory first\n`);
      expect(statSync(store, { throwIfNoEntry: false })).toBeUndefined();
    });

    it('ctr rootfs build writes the default rootfs into the store (CTR_ROOTFS_DIR)', async () => {
      const r = ok(await timed('ctr rootfs build', () => inPrefix(ctrBin, ['rootfs', 'build'], 120_000)));
      expect(r.stdout).toBe(`${store}/default\n`);
      expect(statSync(path.join(store, 'default/usr/local/bin/escape-probe')).isFile()).toBe(true);
      // ctr check looks for it there too.
      const check = await inPrefix(ctrBin, ['check', '--json']);
      const findings = (JSON.parse(check.stdout) as { findings: { id: string; ok: boolean; found: string }[] }).findings;
      expect(findings.find((f) => f.id === 'default-rootfs')).toMatchObject({ ok: true, found: `${store}/default with the demo programs` });
    }, 120_000);

    it('ctr run --net none /bin/true runs in the default rootfs; `default` names it too', async () => {
      // The first successful run writes the run code cache of its variant, named after the bundle file
      // (scripts/bundle-loader.mjs); failures and help do not.
      const dist = path.join(modules, '@ctr/cli/dist');
      const runCaches = (): string[] => readdirSync(dist).filter((f) => f.startsWith('ctr-bundle.cjs.') && f.endsWith('.run.cache'));
      expect(runCaches()).toEqual([]);
      ok(await timed('ctr run --net none /bin/true', () => inPrefix(ctrBin, ['run', '--net', 'none', '/bin/true'])));
      const bundle = statSync(path.join(dist, 'ctr-bundle.cjs'));
      expect(runCaches()).toEqual([`ctr-bundle.cjs.run-none.${bundle.ino}-${bundle.size}-${Math.trunc(bundle.mtimeMs)}.run.cache`]);
      const runCache = path.join(dist, runCaches()[0]!);
      expect(statSync(runCache).size).toBeGreaterThan(100_000);
      // A cache V8 rejects (here: garbage) costs only a compile, and is rewritten.
      writeFileSync(runCache, 'not a code cache');
      const r = ok(await inPrefix('npx', ['@ctr/cli', 'run', '--net', 'none', 'default', 'hostname']));
      expect(r.stdout.trim()).toMatch(/^[a-z]+-[a-z]+$/);
      expect(statSync(runCache).size).toBeGreaterThan(100_000);
    });

    it('the seed: its own hostname, a ps that sees only the container, an IP on the bridge', async () => {
      const r = ok(
        await inPrefix(ctrBin, ['run', '--hostname', 'mycontainer', 'sh', '-c', 'hostname; ps -e -o pid=,comm=; ip -4 -o addr show eth0']),
      );
      const [hostname, ...rest] = r.stdout.trim().split('\n').map((l) => l.trim());
      expect(hostname).toBe('mycontainer');
      const ps = rest.filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s+/));
      expect(ps).toEqual([['1', 'sh'], [expect.stringMatching(/^\d+$/), 'ps']]);
      const ip = /inet (\d+\.\d+\.\d+\.\d+)\/\d+/.exec(r.stdout)?.[1];
      expect(ip, r.stdout).toBeDefined();
      expect(subnetContains(parseCidr(env.CTR_SUBNET ?? '10.88.0.0/16'), parseIpv4(ip!))).toBe(true);
    });

    it('the README examples of @ctr/cgroups and @ctr/netns run as ESM and CommonJS, and type-check', async () => {
      const consumers = path.join(prefix, 'consumers');
      mkdirSync(consumers);
      const outputs: Record<string, string> = {};
      const typeChecked: string[] = [];
      for (const name of ['@ctr/cgroups', '@ctr/netns']) {
        const examples = readmeExamples(readFileSync(path.join(modules, name, 'README.md'), 'utf8'));
        expect([...examples.keys()].map((f) => path.extname(f)).sort(), name).toEqual(['.cjs', '.mjs']);
        for (const [file, code] of examples) {
          writeFileSync(path.join(consumers, file), code);
          outputs[file] = ok(await inPrefix('node', [path.join(consumers, file)])).stdout;
          // The ES module as a TypeScript consumer; the CommonJS one checked as JavaScript (its require()
          // resolves through the `require` condition to index.d.cts).
          const ts = file.replace(/\.mjs$/, '.mts');
          if (ts !== file) writeFileSync(path.join(consumers, ts), code);
          typeChecked.push(ts);
        }
      }
      expect(outputs['limit.mjs']).toMatch(/^pids \d+ under a 64 MiB memory limit\n$/);
      expect(outputs['detect.cjs']).toMatch(/^cgroup mode: (v1|v2|hybrid)\n$/);
      expect(outputs['links.mjs']).toMatch(/^lo is link 1 \(up: true\); \d+ links in all\nleased 10\.200\.0\.2\/24, gateway 10\.200\.0\.1\n$/);
      expect(outputs['links.cjs']).toMatch(/^1: lo$/m);
      writeFileSync(
        path.join(consumers, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, allowJs: true, checkJs: true, types: ['node'] },
          files: typeChecked,
        }),
      );
      const check = await inPrefix('node', [tsc, '-p', consumers], 120_000);
      expect(check.stdout + check.stderr).toBe('');
      expect(check.code).toBe(0);
    }, 180_000);

    it('where no prebuild fits, ctr names what is missing in one line; the install script builds from source', async () => {
      // LIBC=musl makes node-gyp-build (and the message) treat this host as musl, which the glibc prebuild
      // does not fit. First with node alone on PATH: no compiler, nothing can be built.
      const nodeOnly = path.join(tmp, 'node-only-bin');
      mkdirSync(nodeOnly);
      symlinkSync(process.execPath, path.join(nodeOnly, 'node'));
      const musl = { ...env, LIBC: 'musl' };
      const bare = await host(ctrBin, ['run', '--net', 'none', '/bin/true'], 30_000, { cwd: prefix, env: { ...musl, PATH: nodeOnly } });
      expect(bare.code).toBe(125);
      expect(bare.stderr).toBe(
        'ctr: no prebuilt @ctr/ns-native for linux-x64 musl (it ships linux-x64 glibc) and no compiler to build ' +
          'it: install python3, make, a C++ compiler (g++), a C compiler (gcc) (Debian/Ubuntu: apt-get install ' +
          'build-essential python3), then run `npm rebuild @ctr/ns-native`\n',
      );
      // With the build tools on PATH, the install script (run again by npm rebuild) compiles the addon and
      // the static helpers, and ctr runs on them.
      const rebuild = await timed('source build (npm rebuild)', () =>
        host('npm', ['rebuild', '@ctr/ns-native'], 600_000, { cwd: prefix, env: musl }),
      );
      ok(rebuild);
      const native = path.join(modules, '@ctr/ns-native');
      const picked = ok(await host('node', ['-p', `require('node-gyp-build').resolve(${JSON.stringify(native)})`], 30_000, { cwd: prefix, env: musl }));
      expect(picked.stdout.trim()).toBe(path.join(native, 'build/Release/ctr_native.node'));
      ok(await host(ctrBin, ['run', '--net', 'none', '--init', '/bin/true'], 30_000, { cwd: prefix, env: musl }));
    }, 660_000);
  },
);
