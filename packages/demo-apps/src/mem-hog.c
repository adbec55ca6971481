/* mem-hog.c — allocates memory step by step and touches every page, printing "allocated N MiB" after
 * each step and flushing it, so when a memory limit stops the process (OOM kill, or ENOMEM from mmap)
 * the last line shows how far it got. Pages are written, not just reserved: untouched anonymous
 * memory is never charged to the memory cgroup. See mmap(2), memory cgroup docs (memory.limit_in_bytes).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "args.h"

static const char USAGE[] =
    "usage: mem-hog [--step SIZE] [--max SIZE]\n"
    "  allocates and touches SIZE bytes per step (default 16m) up to --max (default 1g);\n"
    "  sizes take a k, m or g suffix\n";

int main(int argc, char **argv) {
  unsigned long long step = 16ULL << 20, max = 1ULL << 30;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      fputs(USAGE, stdout);
      return 0;
    } else if (strcmp(argv[i], "--step") == 0 && i + 1 < argc) {
      if (!parse_size(argv[++i], &step)) usage_error("mem-hog", "bad --step size", USAGE);
    } else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc) {
      if (!parse_size(argv[++i], &max)) usage_error("mem-hog", "bad --max size", USAGE);
    } else {
      usage_error("mem-hog", "unexpected argument", USAGE);
    }
  }

  unsigned long long total = 0;
  while (total < max) {
    size_t chunk = (size_t)(max - total < step ? max - total : step);
    void *block = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (block == MAP_FAILED) {
      perror("mem-hog: mmap");
      return 1;
    }
    memset(block, 0xa5, chunk);
    total += chunk;
    printf("allocated %llu MiB\n", total >> 20);
    fflush(stdout);
  }
  return 0;
}
