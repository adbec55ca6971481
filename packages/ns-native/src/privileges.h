// privileges.h — the clone child's identity and privilege steps: becoming root of its user namespace,
// capability sets, no_new_privs and the seccomp filter. Raw syscalls only (see the rule at the top of child.cc).
// See: user_namespaces(7), capabilities(7), prctl(2), seccomp(2).
#pragma once

#include "child.h"

namespace ctr {

// setgroups({}), setresgid/setresuid(0) and the parent-death signal re-armed; failures are reported at `stage`.
void BecomeRoot(const ChildPlan& plan, ctr_stage stage);

// Receives the idmapped rootfs tree from the parent (returned, CLOEXEC), then BecomeRoot inside the user
// namespace.
int BecomeUsernsRoot(const ChildPlan& plan);

// Drops every capability not kept from the bounding set, clears ambient, and sets permitted, effective and
// inheritable to the plan's sets ∩ what the process has.
// `transientKeep`: capabilities left in permitted and effective (not in the bounding set) for a later step
// that needs them, the uid change (CAP_SETUID: the OCI default set lacks it); KeepOnlyCapabilities then
// takes them back, which needs no capability (dropping never does).
void DropCapabilities(const ChildPlan& plan, uint64_t transientKeep = 0);
// Before the uid change: PR_SET_KEEPCAPS when ambient capabilities are to be raised after it.
void KeepPermittedOverUidChange(const ChildPlan& plan);
// After the uid change: permitted and effective to the plan's sets, then the ambient ones raised.
void KeepOnlyCapabilities(const ChildPlan& plan);

// prctl(PR_SET_NO_NEW_PRIVS, 1) when asked for.
void SetNoNewPrivileges(const ChildPlan& plan);

// seccomp(SECCOMP_SET_MODE_FILTER) of the plan's program, when there is one.
void InstallSeccomp(const ChildPlan& plan);

}  // namespace ctr
