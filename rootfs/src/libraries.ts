// libraries.ts — finds the ELF loader and every shared library a set of host programs loads, the way
// ld.so(8) would: DT_RPATH (unless DT_RUNPATH is set), DT_RUNPATH, the directories of /etc/ld.so.conf
// (what ld.so.cache indexes), then the loader's system directories. $ORIGIN is expanded; candidates of
// another ELF class or machine are skipped, as the loader skips them. See ld.so(8), ldconfig(8), elf(5).
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { RootfsError, errnoCode } from './errors.js';
import { readElf, type ElfInfo } from './elf.js';

/** A file to place in the tree: read from `hostPath`, written at `treePath` (both absolute). */
export interface Placement {
  hostPath: string;
  treePath: string;
}

interface LoadedObject {
  path: string;
  info: ElfInfo;
}

/** Reads an ld.so.conf file and its `include` globs, in order, without duplicates. */
export async function readLdSoConf(file = '/etc/ld.so.conf', seen = new Set<string>()): Promise<string[]> {
  if (seen.has(file)) return [];
  seen.add(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
  const dirs: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '' || line.startsWith('hwcap ')) continue;
    if (!line.startsWith('include ')) {
      dirs.push(line);
      continue;
    }
    for (const pattern of line.slice('include '.length).trim().split(/\s+/)) {
      for (const included of await expandGlob(resolve(dirname(file), pattern))) dirs.push(...(await readLdSoConf(included, seen)));
    }
  }
  return [...new Set(dirs)];
}

/** Expands a glob whose wildcards (`*`, `?`) are in the last component only, as ld.so.conf uses them. */
async function expandGlob(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const name = basename(pattern);
  if (!/[*?]/.test(name)) return [pattern];
  const regex = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  try {
    return (await readdir(dir)).filter((entry) => regex.test(entry)).sort().map((entry) => join(dir, entry));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
}

/** The loader's compiled-in directories: searched even without an ld.so.cache (see `ld.so --help`). */
function systemDirs(loaderDir: string, bits: 32 | 64): string[] {
  const triplet = basename(loaderDir);
  // Debian-style multiarch loaders live in /usr/lib/<triplet>; others (Fedora, Arch) use lib64 or lib.
  if (triplet.includes('-linux-')) return [`/lib/${triplet}`, `/usr/lib/${triplet}`, '/lib', '/usr/lib'];
  return bits === 64 ? ['/lib64', '/usr/lib64', '/lib', '/usr/lib'] : ['/lib', '/usr/lib'];
}

async function realDir(path: string): Promise<string> {
  return realpath(dirname(path));
}

const expandOrigin = (dirs: string[], origin: string): string[] =>
  dirs.filter((dir) => !/\$(LIB|PLATFORM)|\$\{(LIB|PLATFORM)\}/.test(dir)).map((dir) => dir.replace(/\$\{?ORIGIN\}?/g, origin));

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves the ELF loader and the transitive shared libraries of `programs` (absolute host paths).
 * Libraries that only ld.so.cache would find (directories from ld.so.conf outside the loader's system
 * directories) are placed in the loader's own directory, because the tree has no ld.so.cache.
 * @throws RootfsError `ENOLIB` when a needed library is not found, `EBADELF` for a damaged file
 */
export async function resolveSharedObjects(programs: string[]): Promise<Placement[]> {
  const confDirs = await readLdSoConf();
  const placements = new Map<string, Placement>();
  const visited = new Set<string>();
  // Most programs need the same few libraries from the same directories: look each up once.
  const lookups = new Map<string, Promise<LoadedObject | undefined>>();
  const lookup = (name: string, object: LoadedObject, dirs: string[]): Promise<LoadedObject | undefined> => {
    const key = [object.info.bits, object.info.machine, name, ...dirs].join('\0');
    if (!lookups.has(key)) lookups.set(key, findLibrary(name, object, dirs));
    return lookups.get(key)!;
  };

  interface Loader {
    executable: LoadedObject;
    dir: string;
    systems: string[];
    systemsReal: string[];
  }

  async function visit(object: LoadedObject, loader: Loader): Promise<void> {
    const { executable } = loader;
    // DT_RPATH applies only when the object has no DT_RUNPATH, and the executable's DT_RPATH is inherited.
    const rpath = object.info.runpath.length > 0 ? [] : [...object.info.rpath, ...(object !== executable && executable.info.runpath.length === 0 ? executable.info.rpath : [])];
    const linkerPaths = expandOrigin([...rpath, ...object.info.runpath], await realDir(object.path));
    for (const name of object.info.needed) {
      const found = await lookup(name, object, [...linkerPaths, ...confDirs, ...loader.systems]);
      if (!found)
        throw new RootfsError('ENOLIB', `${object.path} needs ${name}, which is in none of its search directories: install it on the host`, {
          path: object.path,
        });
      const foundIn = dirname(found.path);
      const keepPath = linkerPaths.includes(foundIn) || loader.systemsReal.includes(await realpath(foundIn));
      const treePath = keepPath ? found.path : join(loader.dir, name);
      if (!placements.has(treePath)) placements.set(treePath, { hostPath: found.path, treePath });
      const key = await realpath(found.path);
      if (visited.has(key)) continue;
      visited.add(key);
      await visit(found, loader);
    }
  }

  for (const program of programs) {
    const info = await readElf(program);
    if (!info?.interpreter) continue;
    const interpreter = info.interpreter;
    // The loader's real location (through /lib64 and its own symlink) names its system directories.
    const dir = await realpath(interpreter).then(dirname, (err: unknown) => {
      throw new RootfsError('ENOLIB', `${program} needs the loader ${interpreter}, which is missing`, { path: program, cause: err });
    });
    placements.set(interpreter, { hostPath: interpreter, treePath: interpreter });
    const systems = systemDirs(dir, info.bits);
    const systemsReal = await Promise.all(systems.map((system) => realpath(system).catch(() => system)));
    const executable = { path: program, info };
    await visit(executable, { executable, dir, systems, systemsReal });
  }
  return [...placements.values()];
}

async function findLibrary(name: string, loader: LoadedObject, dirs: string[]): Promise<LoadedObject | undefined> {
  const candidates = name.includes('/') ? [isAbsolute(name) ? name : resolve(name)] : dirs.map((dir) => join(dir, name));
  for (const path of candidates) {
    if (!(await isFile(path))) continue;
    const info = await readElf(path);
    if (info && info.bits === loader.info.bits && info.machine === loader.info.machine) return { path, info };
  }
  return undefined;
}
