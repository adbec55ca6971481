/* setup_failure.h — the record a container child writes to its error pipe when setup or exec fails.
 * Shared by the clone child (C++) and ctr-init (C), so it is plain C. One record is smaller than PIPE_BUF,
 * so a single write(2) is atomic and the parent's read either sees all of it or end-of-file (pipe(7)).
 * See: pipe(7), execve(2). */
#ifndef CTR_SETUP_FAILURE_H
#define CTR_SETUP_FAILURE_H

#include <stdint.h>

/* The steps between clone and execve, in the order the child runs them (proc and sys are checked once more
 * right after pivot_root). Names for JS are in spawn.cc. */
enum ctr_stage {
  CTR_STAGE_PDEATHSIG = 1,
  CTR_STAGE_SYNC,
  CTR_STAGE_USERNS,
  CTR_STAGE_CREDENTIALS,
  CTR_STAGE_CGROUPNS,
  CTR_STAGE_ROOTFS,
  CTR_STAGE_PROC,
  CTR_STAGE_SYS,
  CTR_STAGE_DEV,
  CTR_STAGE_HOSTNAME,
  CTR_STAGE_PIVOT_ROOT,
  CTR_STAGE_MASKED_PATHS,
  CTR_STAGE_READONLY_PATHS,
  CTR_STAGE_READONLY_ROOT,
  CTR_STAGE_TERMINAL,
  CTR_STAGE_FDS,
  CTR_STAGE_CWD,
  CTR_STAGE_SIGNALS,
  CTR_STAGE_CAPABILITIES,
  CTR_STAGE_NO_NEW_PRIVS,
  CTR_STAGE_SECCOMP,
  CTR_STAGE_EXEC,
  CTR_STAGE_JOIN, /* ctr exec: setns into a running container, and the fork into its PID namespace */
  CTR_STAGE_USER, /* ctr exec -u: setgroups, setresgid, setresuid */
  /* Appended after the ones above (values are shared with JS by position); they run between dev and hostname: */
  CTR_STAGE_MOUNTS, /* options.mounts, in their order */
  CTR_STAGE_RLIMITS, /* options.rlimits, after the fds are closed */
  CTR_STAGE_SYSCTL,  /* options.sysctl, right after pivot_root */
  CTR_STAGE_CGROUP,  /* the container joining its v1 cgroups (write "0" to each `tasks`), first of all */
};

struct ctr_setup_failure {
  int32_t stage;    /* enum ctr_stage */
  int32_t err;      /* positive errno */
  char syscall[24]; /* NUL-terminated, e.g. "pivot_root" */
  char path[4064];  /* NUL-terminated (truncated if longer), may be empty */
};

#endif
