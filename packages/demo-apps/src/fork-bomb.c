/* fork-bomb.c — a bounded fork bomb for the pids controller: forks sleeping children until fork fails
 * (EAGAIN once pids.max is reached) or --max is hit, prints "forked N children" and why it stopped,
 * then kills and reaps every child. Children die with the parent (PR_SET_PDEATHSIG), so a killed
 * fork-bomb leaves nothing behind. See fork(2), prctl(2), pids cgroup docs (pids.max).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"

static const char USAGE[] =
    "usage: fork-bomb [--max N]\n"
    "  forks sleeping children until fork fails or N (default 256) exist, then reaps them\n";

int main(int argc, char **argv) {
  unsigned long long max = 256;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      fputs(USAGE, stdout);
      return 0;
    } else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc) {
      if (!parse_count(argv[++i], 1, 100000, &max)) usage_error("fork-bomb", "N must be 1..100000", USAGE);
    } else {
      usage_error("fork-bomb", "unexpected argument", USAGE);
    }
  }
  pid_t *children = calloc(max, sizeof *children);
  if (children == NULL) {
    perror("fork-bomb: calloc");
    return 1;
  }

  pid_t parent = getpid();
  unsigned long long forked = 0;
  int fork_errno = 0;
  while (forked < max) {
    pid_t pid = fork();
    if (pid < 0) {
      fork_errno = errno;
      break;
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      /* The parent may have died between fork and prctl; then nobody would ever kill us. */
      if (getppid() != parent) _exit(0);
      for (;;) pause();
    }
    children[forked++] = pid;
  }
  printf("forked %llu children\n", forked);
  if (fork_errno != 0)
    printf("stopped: fork failed: %s\n", strerror(fork_errno));
  else
    printf("stopped: reached max\n");
  fflush(stdout);

  for (unsigned long long i = 0; i < forked; i++) kill(children[i], SIGKILL);
  for (unsigned long long i = 0; i < forked; i++) waitpid(children[i], NULL, 0);
  free(children);
  return 0;
}
