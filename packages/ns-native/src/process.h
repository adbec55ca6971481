// process.h — settings of the container's first process that runtime-spec's `process` object carries and the
// clone child applies just before its exec: resource limits (rlimits). The parent reads and validates them
// (process.cc); the child only makes the syscalls (process_child.cc).
// See: prlimit(2).
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

namespace ctr {

struct ChildPlan;

struct ProcessLimit {
  int resource;  // RLIMIT_*
  uint64_t soft, hard;  // RLIM64_INFINITY for unlimited
};

// What the child reads (zeroed: nothing to do).
struct ProcessSetup {
  const ProcessLimit* rlimits;
  int rlimitCount;
};

// The parent's copy, kept alive until clone.
struct ProcessHolder {
  std::vector<ProcessLimit> rlimits;
  // Reads options.rlimits (absent: none); lib/rlimits.ts validated it.
  void Read(Napi::Env env, Napi::Object opts, ProcessSetup& out);
};

// Child: sets every limit with prlimit on itself (inherited across the exec). Raw syscalls only.
void ApplyRlimits(const ChildPlan& plan);

}  // namespace ctr
