// privileges.cc — user namespace identity, capabilities, no_new_privs and seccomp in the clone child.
//
// glibc's setresuid/setgroups are NOT plain wrappers: in a process glibc believes multi-threaded they signal
// every other thread to change its credentials too (nptl setxid). This child is a copy of one thread of
// Node, so those threads do not exist here and the broadcast would wait forever. Hence syscall(2) for every
// credential change. capset/capget have no glibc wrapper at all.
//
// See: user_namespaces(7), credentials(7), capabilities(7) (transformation of capabilities during execve),
// prctl(2) (PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG), capget(2), seccomp(2).
#include "privileges.h"

#include <linux/capability.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "fd_passing.h"

namespace ctr {

void BecomeRoot(const ChildPlan& plan, ctr_stage stage) {
  // Supplementary groups first, while CAP_SETGID certainly applies. Without this the container's root would
  // keep whatever groups ctr was started with (a `sudo` session's, a service's), and with them access to
  // host files shared through a bind or a leaked path; in a user namespace they would show as nogroup.
  if (syscall(SYS_setgroups, 0, nullptr) < 0) FailSetup(plan, stage, errno, "setgroups", nullptr);
  if (syscall(SYS_setresgid, 0, 0, 0) < 0) FailSetup(plan, stage, errno, "setresgid", nullptr);
  if (syscall(SYS_setresuid, 0, 0, 0) < 0) FailSetup(plan, stage, errno, "setresuid", nullptr);
  // Changing an effective or filesystem id clears the parent-death signal (prctl(2) PR_SET_PDEATHSIG). A
  // parent that died in between is not noticed here; it closed the error pipe, so nobody waits anyway.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) FailSetup(plan, stage, errno, "prctl", nullptr);
}

int BecomeUsernsRoot(const ChildPlan& plan) {
  // The parent sent the tree before the "go" byte, so it is already queued.
  int tree = ReceiveFd(plan.controlSock);
  if (tree < 0) FailSetup(plan, CTR_STAGE_USERNS, errno, "recvmsg", nullptr);
  // Until now we carry the host's ids, unmapped here (shown as the overflow id). Becoming the namespace's
  // root (host hostUid) keeps the full capability set the namespace gave us: the kernel only clears
  // capabilities when the euid leaves the namespace's root (capabilities(7), "Effect of user ID changes").
  BecomeRoot(plan, CTR_STAGE_USERNS);
  return tree;
}

namespace {

// permitted = keepPermitted ∩ what the process has, effective = keepEffective ∩ that, inheritable = the plan's
// ∩ (inheritable ∪ permitted as they were). Returns permitted ∩ inheritable as set: what may become ambient.
uint64_t SetCapabilities(const ChildPlan& plan, uint64_t keepPermitted, uint64_t keepEffective) {
  const ctr_stage stage = CTR_STAGE_CAPABILITIES;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  if (syscall(SYS_capget, &header, data) < 0) FailSetup(plan, stage, errno, "capget", nullptr);
  // capset refuses (EPERM) to raise permitted beyond what we have, or inheritable beyond inheritable ∪
  // permitted without CAP_SETPCAP: a kept capability the runtime itself lacks (its bounding set) stays
  // absent, as the bounding set could not grant it either.
  uint64_t ambientable = 0;
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
    const uint32_t inheritable = static_cast<uint32_t>(plan.security.capInheritable >> (32 * i));
    data[i].inheritable = inheritable & (data[i].inheritable | data[i].permitted);
    data[i].permitted &= static_cast<uint32_t>(keepPermitted >> (32 * i));
    data[i].effective = data[i].permitted & static_cast<uint32_t>(keepEffective >> (32 * i));
    ambientable |= uint64_t{data[i].permitted & data[i].inheritable} << (32 * i);
  }
  if (syscall(SYS_capset, &header, data) < 0) FailSetup(plan, stage, errno, "capset", nullptr);
  return ambientable;
}

}  // namespace

void KeepPermittedOverUidChange(const ChildPlan& plan) {
  const SecurityPlan& s = plan.security;
  // A uid change away from 0 empties permitted, effective and ambient (capabilities(7), "Effect of user ID
  // changes"); PR_SET_KEEPCAPS keeps permitted, from which ambient is raised afterwards. execve resets it.
  if (!s.capabilities || s.capAmbient == 0 || !plan.process.setUser) return;
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) FailSetup(plan, CTR_STAGE_CAPABILITIES, errno, "prctl", nullptr);
}

void KeepOnlyCapabilities(const ChildPlan& plan) {
  const SecurityPlan& s = plan.security;
  if (!s.capabilities) return;
  const uint64_t ambientable = SetCapabilities(plan, s.capPermitted, s.capEffective);
  // Raised after the uid change, which clears ambient; each needs to be permitted and inheritable now. It is
  // the set a uid other than 0 keeps across execve (permitted and effective become ambient there).
  for (int cap = 0; cap <= s.capLastCap; cap++) {
    if (!((s.capAmbient & ambientable) >> cap & 1)) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) FailSetup(plan, CTR_STAGE_CAPABILITIES, errno, "prctl", nullptr);
  }
}

void DropCapabilities(const ChildPlan& plan, uint64_t transientKeep) {
  const SecurityPlan& s = plan.security;
  if (!s.capabilities) return;
  const ctr_stage stage = CTR_STAGE_CAPABILITIES;
  // The bounding set first: dropping from it needs CAP_SETPCAP, which capset below may take away. It is also
  // what survives exec: a root process gets permitted = bounding after execve (file caps of root are all-1).
  for (int cap = 0; cap <= s.capLastCap; cap++) {
    if ((s.capKeep >> cap) & 1) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) FailSetup(plan, stage, errno, "prctl", nullptr);
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) FailSetup(plan, stage, errno, "prctl", nullptr);
  SetCapabilities(plan, s.capPermitted | transientKeep, s.capEffective | transientKeep);
}

void SetNoNewPrivileges(const ChildPlan& plan) {
  if (!plan.security.noNewPrivileges) return;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) FailSetup(plan, CTR_STAGE_NO_NEW_PRIVS, errno, "prctl", nullptr);
}

void InstallSeccomp(const ChildPlan& plan) {
  const SecurityPlan& s = plan.security;
  if (s.seccomp == nullptr) return;
  sock_fprog program{s.seccompLength, const_cast<sock_filter*>(s.seccomp)};
  // Without no_new_privs this needs CAP_SYS_ADMIN (EACCES otherwise), which is why child.cc installs the
  // filter before dropping capabilities in that case.
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) < 0)
    FailSetup(plan, CTR_STAGE_SECCOMP, errno, "seccomp", nullptr);
}

}  // namespace ctr
