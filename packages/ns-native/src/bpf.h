// bpf.h — the few bpf(2) commands a cgroup v2 device filter needs: load a program, attach it to a cgroup,
// list what is attached, and look a program up by id (to prove it is gone with its cgroup).
// See: bpf(2), <linux/bpf.h>, Documentation/bpf/prog_cgroup_device.rst (not in every tree: kernel/bpf/cgroup.c).
#pragma once

#include <napi.h>

namespace ctr {

// bpfProgLoad(progType: number, insns: Buffer, license: string): number — a CLOEXEC program fd
Napi::Value BpfProgLoad(const Napi::CallbackInfo& info);
// bpfProgAttach(targetFd: number, progFd: number, attachType: number, flags: number): void
Napi::Value BpfProgAttach(const Napi::CallbackInfo& info);
// bpfProgQuery(targetFd: number, attachType: number): { ids: number[], flags: number }
Napi::Value BpfProgQuery(const Napi::CallbackInfo& info);
// bpfProgGetFdById(id: number): number — a CLOEXEC program fd; ENOENT once the program was freed
Napi::Value BpfProgGetFdById(const Napi::CallbackInfo& info);

}  // namespace ctr
