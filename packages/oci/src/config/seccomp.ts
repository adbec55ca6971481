// seccomp.ts — config-linux.md `linux.seccomp` → the Docker-format profile @ctr/ns-native compiles to BPF.
// The two formats share actions, operators and the syscall rule shape; the OCI section lacks Docker's
// includes/excludes (an engine has already resolved them) and adds listenerPath for SCMP_ACT_NOTIFY agents,
// which ctrun does not have. ns-native's parser validates actions and operators; its errors are re-worded
// to name the config.json path. The compiled filter covers the native ABI only: calls through another ABI
// listed in `architectures` (x86, x32) are killed rather than filtered, which is stricter, never looser.
import { isSeccompError, parseProfile, type SeccompProfile } from '@ctr/ns-native';
import { OciError } from '../errors.js';
import { isSet, type Reader } from './reader.js';

const FIELD = 'linux.seccomp';

/**
 * libseccomp's architecture names, as config-linux.md lists them: all are recognized in `architectures`;
 * the filter judges the native one and kills calls made through any other ABI.
 */
export const SECCOMP_ARCHES = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64',
] as const;

export function parseSeccomp(r: Reader, value: unknown): SeccompProfile {
  const raw = r.object(value, FIELD);
  r.keys(raw, FIELD, ['defaultAction', 'defaultErrnoRet', 'architectures', 'syscalls'], {
    flags: 'seccomp(2) filter flags are not applied by ctr when it installs the filter',
    listenerPath: 'SCMP_ACT_NOTIFY agents are not supported',
    listenerMetadata: 'SCMP_ACT_NOTIFY agents are not supported',
  });
  if (isSet(raw.architectures))
    r.array(raw.architectures, `${FIELD}.architectures`).forEach((arch, i) => r.oneOf(arch, SECCOMP_ARCHES, `${FIELD}.architectures[${i}]`));
  const syscalls = !isSet(raw.syscalls) ? [] : r.array(raw.syscalls, `${FIELD}.syscalls`);
  syscalls.forEach((rule, i) => {
    const item = r.object(rule, `${FIELD}.syscalls[${i}]`);
    r.keys(item, `${FIELD}.syscalls[${i}]`, ['names', 'action', 'errnoRet', 'args']);
    r.strings(item.names, `${FIELD}.syscalls[${i}].names`);
  });
  const docker = {
    defaultAction: raw.defaultAction,
    ...(!isSet(raw.defaultErrnoRet) ? {} : { defaultErrnoRet: raw.defaultErrnoRet }),
    ...(!isSet(raw.architectures) ? {} : { architectures: raw.architectures }),
    syscalls,
  };
  try {
    const parsed = parseProfile(JSON.stringify(docker));
    // Engines' profiles name the calls of every ABI they list (i386's oldstat, _llseek…): the compiler
    // skips names its tables lack, as runc's libseccomp does per architecture. One line says which.
    const skipped = parsed.warnings.map((w) => /unknown syscall "([^"]+)" skipped$/.exec(w)?.[1]).filter((n) => n !== undefined);
    for (const warning of parsed.warnings) if (!/unknown syscall "[^"]+" skipped$/.test(warning)) r.warnings.push(reword(r, warning));
    if (skipped.length > 0)
      r.warnings.push(`${r.file}: ${FIELD}: ${skipped.length} syscall names unknown on x86_64 and aarch64 are skipped: ${[...new Set(skipped)].join(', ')}`);
    return parsed.profile;
  } catch (error) {
    if (!isSeccompError(error)) throw error;
    const field = error.field === undefined ? FIELD : `${FIELD}.${error.field}`;
    throw new OciError(reword(r, error.message), {
      code: error.code === 'UNSUPPORTED' ? 'UNSUPPORTED' : 'INVALID_CONFIG',
      field,
      cause: error,
    });
  }
}

/** "seccomp profile: syscalls[3].action: …" → "config.json: linux.seccomp.syscalls[3].action: …" */
function reword(r: Reader, message: string): string {
  return message.replace(/^seccomp profile: (?:\(root\): )?/, `${r.file}: ${FIELD}.`);
}
