/* threads-cpu.c — the seed's CPU hog: N threads spinning forever, plus a once-a-second report of the
 * CPU this process actually got ("cpu 0.50 cores"), so a cpu.cfs_quota_us limit is visible without top.
 * The figure is the CLOCK_PROCESS_CPUTIME_ID delta (all threads) over the CLOCK_MONOTONIC delta.
 * See pthread_create(3), clock_gettime(2), sched(7) for CFS bandwidth control. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "args.h"

static const char USAGE[] =
    "usage: threads-cpu N [--seconds S]\n"
    "  starts N busy threads and prints \"cpu X.XX cores\" once a second;\n"
    "  runs until killed, or for S seconds\n";

static void *spin(void *arg) {
  (void)arg;
  /* volatile keeps -O2 from proving the loop has no effect and folding it away. */
  volatile unsigned long counter = 0;
  for (;;) counter++;
  return NULL;
}

static double seconds_of(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  unsigned long long threads = 0, seconds = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      fputs(USAGE, stdout);
      return 0;
    } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      if (!parse_count(argv[++i], 1, 86400, &seconds)) usage_error("threads-cpu", "seconds must be 1..86400", USAGE);
    } else if (threads == 0) {
      if (!parse_count(argv[i], 1, 1024, &threads)) usage_error("threads-cpu", "N must be 1..1024", USAGE);
    } else {
      usage_error("threads-cpu", "unexpected argument", USAGE);
    }
  }
  if (threads == 0) usage_error("threads-cpu", "missing thread count N", USAGE);
  setvbuf(stdout, NULL, _IOLBF, 0);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  /* The spinners use no stack to speak of; the default 8 MiB each would only inflate VSZ. */
  pthread_attr_setstacksize(&attr, 64 * 1024);
  for (unsigned long long i = 0; i < threads; i++) {
    pthread_t tid;
    int err = pthread_create(&tid, &attr, spin, NULL);
    if (err != 0) {
      fprintf(stderr, "threads-cpu: pthread_create: %s\n", strerror(err));
      return 1;
    }
  }
  pthread_attr_destroy(&attr);
  printf("All threads are created\n");

  double wall = seconds_of(CLOCK_MONOTONIC), cpu = seconds_of(CLOCK_PROCESS_CPUTIME_ID);
  for (unsigned long long tick = 0; seconds == 0 || tick < seconds; tick++) {
    struct timespec one_second = {.tv_sec = 1};
    clock_nanosleep(CLOCK_MONOTONIC, 0, &one_second, NULL);
    double now_wall = seconds_of(CLOCK_MONOTONIC), now_cpu = seconds_of(CLOCK_PROCESS_CPUTIME_ID);
    printf("cpu %.2f cores\n", (now_cpu - cpu) / (now_wall - wall));
    wall = now_wall;
    cpu = now_cpu;
  }
  return 0;
}
