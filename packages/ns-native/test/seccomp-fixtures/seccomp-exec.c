/* seccomp-exec.c — test helper: installs a compiled seccomp filter from a file, then execs a command.
 * usage: seccomp-exec FILTER.bpf COMMAND [ARG...]
 * FILTER.bpf is an array of struct sock_filter as compileProfile() writes it. no_new_privs is set first: the
 * kernel refuses SECCOMP_SET_MODE_FILTER without it unless the caller has CAP_SYS_ADMIN, and a real runtime
 * sets it anyway. The filter is installed last, right before execve(2), so only the command runs under it
 * (execve itself must pass the filter). Exit 125 when the setup fails. See seccomp(2), prctl(2). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fail(const char *what) {
  fprintf(stderr, "seccomp-exec: %s: %s\n", what, strerror(errno));
  return 125;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: seccomp-exec FILTER.bpf COMMAND [ARG...]\n");
    return 125;
  }
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(argv[1]);
  struct stat st;
  if (fstat(fd, &st) < 0) return fail("fstat");
  if (st.st_size == 0 || st.st_size % sizeof(struct sock_filter) != 0 || st.st_size > 4096 * 8) {
    errno = EINVAL;
    return fail("filter size");
  }
  struct sock_filter *filter = malloc((size_t)st.st_size);
  if (filter == NULL) return fail("malloc");
  if (read(fd, filter, (size_t)st.st_size) != st.st_size) return fail("read");
  close(fd);
  struct sock_fprog prog = {.len = (unsigned short)(st.st_size / sizeof(struct sock_filter)), .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail("prctl(PR_SET_NO_NEW_PRIVS)");
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) return fail("seccomp(SECCOMP_SET_MODE_FILTER)");
  execvp(argv[2], argv + 2);
  return fail(argv[2]);
}
