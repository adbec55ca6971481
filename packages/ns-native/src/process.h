// process.h — settings of the container's first process that runtime-spec's `process` and `linux` objects
// carry and the clone child applies around its setup: namespaces joined by path, sysctls, resource limits,
// the user with its groups, and the umask. The parent reads them and opens the namespace files
// (process.cc); the child only makes the syscalls (process_child.cc).
// See: setns(2), ioctl_ns(2), prlimit(2), setgroups(2), umask(2), proc(5) (/proc/sys).
#pragma once

#include <napi.h>
#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "unique_fd.h"

namespace ctr {

struct ChildPlan;

struct ProcessLimit {
  int resource;         // RLIMIT_*
  uint64_t soft, hard;  // RLIM64_INFINITY for unlimited
};

struct NamespaceJoin {
  int fd;            // opened by the parent; its type checked with NS_GET_NSTYPE
  int nstype;        // CLONE_NEW*
  const char* path;  // for the error report
};

struct Sysctl {
  const char* path;  // below /proc/sys, e.g. "net/ipv4/ip_forward"
  const char* value;
  size_t length;
};

// What the child reads (zeroed: nothing to do).
struct ProcessSetup {
  const ProcessLimit* rlimits;
  int rlimitCount;
  const NamespaceJoin* joins;  // every type but pid (which the launcher joins before cloning the container)
  int joinCount;
  const Sysctl* sysctls;
  int sysctlCount;
  bool setUser;
  uid_t uid;
  gid_t gid;
  const gid_t* groups;
  int groupCount;
  bool setUmask;
  mode_t umask;
};

// The parent's copy, kept alive (and the namespace fds open) until clone.
class ProcessHolder {
 public:
  // CLONE_NEW* of the namespaces joined instead of created; the pid namespace's fd (-1: none).
  uint64_t joinedFlags = 0;
  int joinPidFd = -1;
  // Reads options.rlimits, joinNamespaces, sysctl, user and umask (absent: none); lib/process.ts validated them.
  void Read(Napi::Env env, Napi::Object opts, ProcessSetup& out);

 private:
  std::vector<ProcessLimit> rlimits_;
  std::vector<NamespaceJoin> joins_;
  std::vector<std::unique_ptr<Fd>> fds_;
  std::vector<Sysctl> sysctls_;
  std::vector<gid_t> groups_;
  std::deque<std::string> strings_;
};

// Child: setns() into each joined namespace, in the caller's order. Raw syscalls only (also below).
void JoinNamespaces(const ChildPlan& plan);
// Child, after pivot_root: writes each sysctl under the container's own /proc/sys.
void WriteSysctls(const ChildPlan& plan);
// Child: sets every limit with prlimit on itself (inherited across the exec).
void ApplyRlimits(const ChildPlan& plan);
// Child: supplementary groups and gid (needs CAP_SETGID: before the capability drop) …
void SetUserGroups(const ChildPlan& plan);
// … and the uid after it, so a uid away from 0 clears the effective set as the kernel does; then the umask.
// `rearmDeathSignal`: the uid change cleared PR_SET_PDEATHSIG, which the container's first process needs back.
void SetUserIdAndUmask(const ChildPlan& plan, bool rearmDeathSignal);

}  // namespace ctr
