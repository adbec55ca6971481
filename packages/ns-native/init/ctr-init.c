/* ctr-init.c — the first program of every container, run from a sealed memfd the runtime made.
 *
 * Without -x it is the container's PID 1 for `--init` (tini semantics): runs one command, forwards signals to
 * it, reaps every orphan that the kernel re-parents to PID 1, and exits with the command's status (128+N
 * when it died of signal N). With -x it is only an exec trampoline: it execs the command in place.
 *
 * Why a trampoline: the runtime's clone child is a copy of the host's `node`, so a container whose first
 * execve runs `/proc/self/exe` (directly, through a symlink or as a `#!` interpreter) would start the host's
 * node binary inside the container — the primitive behind CVE-2019-5736. The clone child therefore only ever
 * execs this memfd; by the time the command's path is resolved, /proc/self/exe is this sealed copy, which
 * cannot be written and starts nothing but ctr-init again. Built static: it needs nothing in the rootfs.
 *
 * Usage: ctr-init [-x] [-r ERRFD] [-f FIFOFD] [-e PATH]... -- ARGV...
 *   -x        exec the command in place (no fork, no PID-1 role).
 *   -e PATH   absolute path to try for the command, in order (ENOENT/ENOTDIR: next; EACCES: remembered).
 *             Without -e, argv[0] is looked up in PATH by execvp.
 *   -r ERRFD  pipe to the runtime: an exec failure is written there as a struct ctr_setup_failure instead of
 *             a line on stderr, so the runtime's start() fails the same way whichever program exec'd.
 *   -f FIFOFD an O_PATH fd of the OCI runtime's exec.fifo (runc's create/start split; with -x only): the
 *             command is looked up first (a missing one fails `create`, as in runc), then ERRFD is closed so
 *             the runtime's create returns, then the fifo is opened for writing through /proc/self/fd —
 *             which blocks until `start` opens it for reading — and one byte written before the exec.
 *
 * Signals: a namespace's init only receives signals it handles or blocks (pid_namespaces(7)); we block the
 * forwarded ones and SIGCHLD and take them with sigwaitinfo, so nothing runs in a signal handler.
 * See: pid_namespaces(7), sigwaitinfo(2), waitpid(2), tcsetpgrp(3), credentials(7) (process groups),
 * proc(5) (/proc/pid/exe), memfd_create(2).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "../src/setup_failure.h"

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

static void usage(void) {
  fputs("usage: ctr-init [-x] [-r ERRFD] [-e PATH]... -- ARGV...\n", stderr);
  exit(2);
}

/* Reports why the command could not be exec'd and ends the process (the forked child, or ctr-init itself
 * with -x): 127 not found, 126 not runnable (the shell convention). */
static _Noreturn void exec_failed(int errfd, int err, const char* path) {
  if (errfd >= 0) {
    struct ctr_setup_failure record;
    memset(&record, 0, sizeof record);
    record.stage = CTR_STAGE_EXEC;
    record.err = err;
    strncpy(record.syscall, "execve", sizeof record.syscall - 1);
    strncpy(record.path, path, sizeof record.path - 1);
    if (write(errfd, &record, sizeof record) < 0) { /* the runtime is gone; the exit status still tells */ }
  } else {
    fprintf(stderr, "ctr-init: exec %s: %s\n", path, strerror(err));
  }
  _exit(err == ENOENT ? 127 : 126);
}

static _Noreturn void run_command(const char** candidates, int ncandidates, char** argv, int errfd) {
  if (ncandidates == 0) {
    execvp(argv[0], argv);
    exec_failed(errfd, errno, argv[0]);
  }
  const char* denied = NULL;
  for (int i = 0; i < ncandidates; i++) {
    execv(candidates[i], argv);
    if (errno == ENOENT || errno == ENOTDIR) continue;
    if (errno == EACCES) {
      if (denied == NULL) denied = candidates[i];
      continue;
    }
    exec_failed(errfd, errno, candidates[i]);
  }
  if (denied != NULL) exec_failed(errfd, EACCES, denied);
  exec_failed(errfd, ENOENT, argv[0]);
}

/* The candidate the exec will run, or the failure it would report, without running it: a missing command
 * fails `create`, not `start` (nobody would be there to read the report then). */
static void check_command(const char** candidates, int ncandidates, char** argv, int errfd) {
  if (ncandidates == 0) return; /* PATH lookup at exec time */
  const char* denied = NULL;
  for (int i = 0; i < ncandidates; i++) {
    if (access(candidates[i], X_OK) == 0) return;
    if (errno == EACCES && denied == NULL) denied = candidates[i];
  }
  if (denied != NULL) exec_failed(errfd, EACCES, denied);
  exec_failed(errfd, ENOENT, argv[0]);
}

/* Blocks until `start`: opening a FIFO for writing waits for a reader (fifo(7)). */
static void wait_for_start(int fifofd) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fifofd);
  int fd;
  do fd = open(path, O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    fprintf(stderr, "ctr-init: open exec fifo: %s\n", strerror(errno));
    _exit(127);
  }
  close(fifofd);
  if (write(fd, "0", 1) != 1) {
    fprintf(stderr, "ctr-init: write exec fifo: %s\n", strerror(errno));
    _exit(127);
  }
  close(fd);
}

static int status_to_exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

int main(int argc, char** argv) {
  /* Every container's command comes through here, so no fixed limit: a PATH of any length fits. */
  const char** candidates = malloc(sizeof *candidates * (size_t)argc);
  if (candidates == NULL) {
    perror("ctr-init: malloc");
    return 1;
  }
  int ncandidates = 0;
  int errfd = -1;
  int exec_only = 0;
  int fifofd = -1;
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    if (strcmp(argv[i], "-x") == 0) {
      exec_only = 1;
    } else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) {
      candidates[ncandidates++] = argv[++i];
    } else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
      errfd = atoi(argv[++i]);
    } else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
      fifofd = atoi(argv[++i]);
    } else {
      usage();
    }
  }
  if (i + 1 >= argc) usage();
  char** command = argv + i + 1;
  if (errfd >= 0) fcntl(errfd, F_SETFD, FD_CLOEXEC); /* the command's exec closes it: EOF = success */
  if (fifofd >= 0) {
    if (!exec_only) usage();
    check_command(candidates, ncandidates, command, errfd);
    if (errfd >= 0) close(errfd); /* the runtime's create returns now */
    errfd = -1;
    wait_for_start(fifofd);
  }
  if (exec_only) run_command(candidates, ncandidates, command, errfd);

  /* Executed from a memfd, the kernel names this process "memfd:ctr-init"; `ps` in the container should
   * show what it is, not where it was loaded from. */
  prctl(PR_SET_NAME, "ctr-init", 0, 0, 0);
  /* When not PID 1 (run by hand), still collect orphans, as `tini -s` does. */
  if (getpid() != 1) prctl(PR_SET_CHILD_SUBREAPER, 1);

  sigset_t waited, original;
  sigemptyset(&waited);
  for (size_t s = 0; s < sizeof forwarded / sizeof forwarded[0]; s++) sigaddset(&waited, forwarded[s]);
  sigaddset(&waited, SIGCHLD);
  /* SIGTTOU too: tcsetpgrp from the child happens before its mask is restored (see below). */
  sigaddset(&waited, SIGTTOU);
  sigprocmask(SIG_BLOCK, &waited, &original);
  sigdelset(&waited, SIGTTOU);

  pid_t child = fork();
  if (child < 0) {
    perror("ctr-init: fork");
    return 1;
  }
  if (child == 0) {
    /* Own process group, and the terminal's foreground group when there is one, so ^C from the pty reaches
     * the command (not us). SIGTTOU is still blocked here, so tcsetpgrp from a background group succeeds. */
    setpgid(0, 0);
    if (isatty(STDIN_FILENO)) tcsetpgrp(STDIN_FILENO, getpid());
    sigprocmask(SIG_SETMASK, &original, NULL);
    run_command(candidates, ncandidates, command, errfd);
  }
  if (errfd >= 0) close(errfd);

  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&waited, &info);
    if (sig < 0) continue; /* EINTR */
    if (sig != SIGCHLD) {
      kill(child, sig);
      continue;
    }
    /* One SIGCHLD may stand for several exits (standard signals do not queue): drain everything. */
    for (;;) {
      int status;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid <= 0) break;
      if (pid == child) {
        /* The kernel SIGKILLs what is left of the namespace when PID 1 exits (pid_namespaces(7)). */
        return status_to_exit_code(status);
      }
    }
  }
}
