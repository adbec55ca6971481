// config.ts — reads a bundle's config.json into the typed model (model.ts): the top level (ociVersion,
// root, hostname, annotations) here, each section in its own file. The first problem found is thrown as one
// OciError naming the JSON path; unknown properties are returned as warnings (runtime-spec config.md
// requires runtimes to ignore them).
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ioError, OciError } from '../errors.js';
import { parseHooks } from './hooks.js';
import { parseLinux } from './linux.js';
import type { ParsedConfig } from './model.js';
import { parseMounts } from './mounts.js';
import { parseProcess } from './process.js';
import { isSet, Reader } from './reader.js';

const TOP_KEYS = ['ociVersion', 'root', 'process', 'hostname', 'domainname', 'mounts', 'hooks', 'annotations', 'linux'];
const TOP_REFUSED = {
  solaris: 'ctrun runs Linux containers',
  windows: 'ctrun runs Linux containers',
  vm: 'ctrun runs containers, not virtual machines',
  zos: 'ctrun runs Linux containers',
};

/** Parses config.json text; `bundle` (absolute) resolves root.path and relative bind sources. */
export function parseConfig(text: string, bundle: string): ParsedConfig {
  const r = new Reader('config.json');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new OciError(`config.json: not valid JSON: ${(cause as Error).message}`, { code: 'INVALID_CONFIG', cause });
  }
  const raw = r.object(json, '(top level)');
  r.keys(raw, '', TOP_KEYS, TOP_REFUSED);
  const ociVersion = r.string(raw.ociVersion, 'ociVersion');
  // semver of the spec the bundle was written for; ctrun reads the 1.x format
  if (!/^1\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(ociVersion))
    r.fail('ociVersion', `must be a 1.x.y runtime-spec version, got ${JSON.stringify(ociVersion)}`);
  const root = r.object(raw.root, 'root');
  r.keys(root, 'root', ['path', 'readonly']);
  const rootPath = r.string(root.path, 'root.path');
  if (rootPath === '') r.fail('root.path', 'must name the root filesystem, got ""');
  const linux = parseLinux(r, raw.linux);
  const config: ParsedConfig['config'] = {
    ociVersion,
    root: {
      path: isAbsolute(rootPath) ? rootPath : resolve(bundle, rootPath),
      readonly: root.readonly === undefined ? false : r.boolean(root.readonly, 'root.readonly'),
    },
    mounts: parseMounts(r, raw.mounts, bundle),
    linux,
    hooks: parseHooks(r, raw.hooks),
    annotations: !isSet(raw.annotations) ? {} : r.stringMap(raw.annotations, 'annotations'),
  };
  if (isSet(raw.process)) config.process = parseProcess(r, raw.process);
  const newNamespace = (type: string) => linux.namespaces.some((ns) => ns.type === type && ns.path === undefined);
  // config.md: setting a hostname (domainname) without a new UTS namespace MUST be an error, as it would
  // rename the host (or a joined namespace).
  for (const name of ['hostname', 'domainname'] as const) {
    if (!isSet(raw[name]) || raw[name] === '') continue;
    config[name] = r.string(raw[name], name);
    if (!newNamespace('uts')) r.fail(name, 'is set but linux.namespaces creates no uts namespace');
  }
  return { config, warnings: r.warnings };
}

/** Reads BUNDLE/config.json. */
export function loadConfig(bundle: string): ParsedConfig {
  const dir = resolve(bundle);
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw ioError('read', path, cause);
  }
  return parseConfig(text, dir);
}
