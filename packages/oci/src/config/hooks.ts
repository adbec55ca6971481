// hooks.ts (config) — config.md "POSIX-platform Hooks": six lists of {path, args, env, timeout}. The
// deprecated `prestart` is still what many engines write, so it is accepted beside createRuntime.
import { HOOK_KINDS, type OciHook, type OciHooks } from './model.js';
import { isSet, type Reader } from './reader.js';

export function emptyHooks(): OciHooks {
  return { prestart: [], createRuntime: [], createContainer: [], startContainer: [], poststart: [], poststop: [] };
}

export function parseHooks(r: Reader, value: unknown): OciHooks {
  const hooks = emptyHooks();
  if (!isSet(value)) return hooks;
  const raw = r.object(value, 'hooks');
  r.keys(raw, 'hooks', HOOK_KINDS);
  for (const kind of HOOK_KINDS) {
    if (!isSet(raw[kind])) continue;
    hooks[kind] = r.array(raw[kind], `hooks.${kind}`).map((item, i) => parseHook(r, item, `hooks.${kind}[${i}]`));
  }
  return hooks;
}

function parseHook(r: Reader, value: unknown, field: string): OciHook {
  const raw = r.object(value, field);
  r.keys(raw, field, ['path', 'args', 'env', 'timeout']);
  const hook: OciHook = {
    path: r.absolute(raw.path, `${field}.path`),
    args: !isSet(raw.args) ? [] : r.strings(raw.args, `${field}.args`),
    env: !isSet(raw.env) ? [] : r.strings(raw.env, `${field}.env`),
  };
  // config.md: timeout MUST be greater than zero
  if (isSet(raw.timeout)) hook.timeout = r.integer(raw.timeout, `${field}.timeout`, 1);
  return hook;
}
