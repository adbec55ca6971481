/* chroot-escape.c — tries the classic chroot(2) escape and reports whether PATH became reachable.
 * chroot() moves only the root, not the working directory, and ".." stops only AT the root: so after
 * chroot(subdir) without chdir, the cwd is outside the new root and "chdir(..)" climbs to the top of the
 * mount namespace, where chroot(".") takes that as the new root. A chroot'ed shell escapes this way; a
 * container that pivot_root'ed and detached the old root does not, because the top of its mount
 * namespace is its own root. Exit 0 = escaped, 1 = contained, 2 = usage, 3 = the attempt could not be
 * made (e.g. chroot needs CAP_SYS_CHROOT). See chroot(2), pivot_root(2), path_resolution(7).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"

static const char USAGE[] =
    "usage: chroot-escape PATH\n"
    "  tries the chroot escape (chroot into a subdirectory without chdir, climb \"..\", chroot \".\"),\n"
    "  then opens PATH: exit 0 \"escaped\" if readable, exit 1 \"contained\" if not, 3 if it cannot try\n";

/* Far more levels than any real directory tree; ".." at the top of the mount namespace is a no-op. */
enum { CLIMB_LEVELS = 256 };

int main(int argc, char **argv) {
  if (argc != 2) usage_error("chroot-escape", "expected PATH", USAGE);
  if (strcmp(argv[1], "--help") == 0) {
    fputs(USAGE, stdout);
    return 0;
  }
  const char *target = argv[1];

  /* Keep a handle on /tmp so the scratch directory can be removed after the root has moved. */
  int tmp = open("/tmp", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (tmp < 0) {
    fprintf(stderr, "chroot-escape: cannot try: open /tmp: %s\n", strerror(errno));
    return 3;
  }
  char scratch[64];
  snprintf(scratch, sizeof scratch, "chroot-escape.%ld", (long)getpid());
  if (mkdirat(tmp, scratch, 0700) < 0) {
    fprintf(stderr, "chroot-escape: cannot try: mkdir /tmp/%s: %s\n", scratch, strerror(errno));
    return 3;
  }
  char jail[80];
  snprintf(jail, sizeof jail, "/tmp/%s", scratch);
  int status = 3;
  if (chroot(jail) < 0) {
    fprintf(stderr, "chroot-escape: cannot try: chroot %s: %s\n", jail, strerror(errno));
    goto out;
  }
  for (int i = 0; i < CLIMB_LEVELS; i++)
    if (chdir("..") < 0) break;
  if (chroot(".") < 0) {
    fprintf(stderr, "chroot-escape: cannot try: chroot .: %s\n", strerror(errno));
    goto out;
  }
  int fd = open(target, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    close(fd);
    printf("escaped: %s readable\n", target);
    status = 0;
  } else {
    printf("contained: %s not reachable (%s)\n", target, strerrorname_np(errno));
    status = 1;
  }
out:
  unlinkat(tmp, scratch, AT_REMOVEDIR);
  close(tmp);
  return status;
}
