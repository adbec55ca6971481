// hooks.ts (config) — config.md "POSIX-platform Hooks": six lists of {path, args, env, timeout}. The
// deprecated `prestart` is still what many engines write, so it is accepted beside createRuntime.
import { HOOK_KINDS, type OciHook, type OciHooks } from './model.js';
import type { Reader } from './reader.js';

export function emptyHooks(): OciHooks {
  return { prestart: [], createRuntime: [], createContainer: [], startContainer: [], poststart: [], poststop: [] };
}

export function parseHooks(r: Reader, value: unknown): OciHooks {
  const hooks = emptyHooks();
  if (value === undefined || value === null) return hooks;
  const raw = r.object(value, 'hooks');
  r.keys(raw, 'hooks', HOOK_KINDS);
  for (const kind of HOOK_KINDS) {
    if (raw[kind] === undefined || raw[kind] === null) continue;
    hooks[kind] = r.array(raw[kind], `hooks.${kind}`).map((item, i) => parseHook(r, item, `hooks.${kind}[${i}]`));
  }
  return hooks;
}

function parseHook(r: Reader, value: unknown, field: string): OciHook {
  const raw = r.object(value, field);
  r.keys(raw, field, ['path', 'args', 'env', 'timeout']);
  const hook: OciHook = {
    path: r.absolute(raw.path, `${field}.path`),
    args: raw.args === undefined || raw.args === null ? [] : r.strings(raw.args, `${field}.args`),
    env: raw.env === undefined || raw.env === null ? [] : r.strings(raw.env, `${field}.env`),
  };
  // config.md: timeout MUST be greater than zero
  if (raw.timeout !== undefined && raw.timeout !== null) hook.timeout = r.integer(raw.timeout, `${field}.timeout`, 1);
  return hook;
}
