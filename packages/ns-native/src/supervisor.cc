// supervisor.cc — see supervisor.h.
#include "supervisor.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace ctr {
namespace {

void FormatDecimal(char* out, int value) {
  char digits[SupervisorPlan::kDigits];
  int n = 0;
  do digits[n++] = static_cast<char>('0' + value % 10);
  while ((value /= 10) > 0 && n < SupervisorPlan::kDigits - 1);
  for (int i = 0; i < n; i++) out[i] = digits[n - 1 - i];
  out[n] = '\0';
}

// The launcher's own stack. RunLauncher, and RunChild in the container (which starts on a copy of this
// stack), use a few KiB: child.cc's largest frame holds one PATH_MAX buffer. MAP_NORESERVE: only the pages
// touched cost anything.
constexpr size_t kStackSize = 256 * 1024;

struct LauncherArgs {
  const SupervisorPlan* sup;
  const ChildPlan* child;
};

int LauncherMain(void* arg) {
  auto* args = static_cast<LauncherArgs*>(arg);
  RunLauncher(*args->sup, *args->child);
}

}  // namespace

// Why CLONE_VM | CLONE_VFORK: a clone without CLONE_VM copies the caller's page tables (fork), and the
// launcher's exec then tears that copy down again. Sharing the memory leaves a single copy per container: the
// container's own clone below, made by the launcher (measured in a warm ~60 MB Node process: spawnContainer
// ~0.7 ms faster, of ~3 ms). Kernel facts this rests on:
// - CLONE_VFORK suspends only the calling thread (Node's JS thread) until the launcher execs the shim or exits
//   (mm_release); Node's other threads (libuv's pool, V8's workers) keep running in the same memory. So the
//   launcher touches only what that blocked thread owns (the Plan behind `sup` and `child`, which the caller
//   keeps until clone returns) and its own stack, takes no lock and never allocates: a malloc here would race
//   the other threads' arenas with no thread of its own behind it. It ends only in execveat or _exit
//   (exit_group: without CLONE_THREAD its own thread group only; no atexit handlers or stdio flushing, which
//   would run Node's process-wide teardown from here).
// - CLONE_VM without CLONE_SETTLS keeps the caller's thread pointer: the launcher's errno (every libc call
//   below) is the JS thread's errno. That thread is suspended and reads errno only when clone itself failed,
//   in which case no launcher ran.
// - Its own stack is needed because the blocked thread's frames are still live on the caller's; it stays
//   mapped until the vfork release (clone returning) and is unmapped then: the shim's exec replaced the
//   launcher's view of memory, and the container's clone gave it a private copy of this stack.
// - No CLONE_FILES, CLONE_FS or CLONE_SIGHAND: the fd table, cwd/root and signal handlers are the launcher's
//   own copies, so its close_range, dup3 and setns(CLONE_NEWPID) (which changes only the namespace of the
//   children it makes next) never reach Node. The caller blocks every signal across the clone (CloneBlocked
//   in spawn.cc): a handler run here would be one of Node's, writing into Node's memory from a second task.
// - A clone without CLONE_VM made from here (the container's) copies the shared memory as it is, with Node's
//   other threads running: exactly what the clone from the JS thread itself saw before.
long CloneLauncher(const SupervisorPlan& sup, const ChildPlan& child, int* pidfd, const char** failed) {
  // A PROT_NONE page below the stack: an overflow faults instead of writing into whatever Node mapped there.
  size_t guard = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t size = guard + kStackSize;
  void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE,
                   -1, 0);
  if (mem == MAP_FAILED) {
    *failed = "mmap";
    return -1;
  }
  long pid = -1;
  if (mprotect(mem, guard, PROT_NONE) < 0) {
    *failed = "mprotect";
  } else {
    LauncherArgs args{&sup, &child};
    // glibc's clone() switches to the stack (the top: it grows down) and runs LauncherMain there; the legacy
    // clone(2) stores CLONE_PIDFD's fd through the parent_tid argument. Raw clone3 with a stack would need
    // assembly for the switch.
    pid = clone(LauncherMain, static_cast<char*>(mem) + size, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD,
                &args, pidfd);
    *failed = "clone";
  }
  int err = errno;
  munmap(mem, size);
  errno = err;
  return pid;
}

void RunLauncher(const SupervisorPlan& sup, const ChildPlan& child) {
  close(sup.reportReadParent);
  // A detached container gets its stdio from pipes above 2; until its exec it holds a copy of everything
  // else this process has, and ctr's own stdout in that copy would keep a `ctr create | …` pipeline open
  // until `ctr start`. The shim makes its own 0-2 /dev/null too.
  if (sup.nullStdio) {
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3 && null >= 0; fd++) dup3(null, fd, O_CLOEXEC);
    if (null > 2) close(null);
  }
  int pidfd = -1;
  // setns(CLONE_NEWPID) moves only the children made afterwards: the container cloned next is inside.
  if (sup.joinPidFd >= 0 && setns(sup.joinPidFd, CLONE_NEWPID) < 0) {
    int32_t failed = -errno;
    ssize_t ignored = write(sup.reportWrite, &failed, sizeof failed);
    (void)ignored;
    _exit(1);
  }
  CloneArgs args{};
  args.flags = sup.containerFlags | CLONE_PIDFD;
  if (sup.cgroupFd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(sup.cgroupFd);
  }
  args.pidfd = reinterpret_cast<uintptr_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) RunChild(child);
  int32_t report = pid < 0 ? -errno : static_cast<int32_t>(pid);
  ssize_t ignored = write(sup.reportWrite, &report, sizeof report);
  (void)ignored;
  if (pid < 0) _exit(1);

  FormatDecimal(sup.pidfdDigits, pidfd);
  // Nothing of Node's fd table may reach the shim but what it is told about.
  syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  fcntl(pidfd, F_SETFD, 0);
  fcntl(sup.reportWrite, F_SETFD, 0);
  for (int i = 0; i < sup.keepCount; i++) fcntl(sup.keepFds[i], F_SETFD, 0);
  char* const envp[] = {nullptr};
  syscall(SYS_execveat, sup.imageFd, "", sup.argv, envp, AT_EMPTY_PATH);
  // No shim: 'E' and the errno where the shim's 'R' would be, so the runtime throws. The container, still
  // waiting for "go", is killed and reaped here (we are its parent): neither it nor its zombie is left to
  // init. The runtime, still suspended in clone, resumes once we are gone.
  struct {
    char tag;
    int32_t err;
  } __attribute__((packed)) failure{'E', errno};
  ssize_t written = write(sup.reportWrite, &failure, sizeof failure);
  (void)written;
  syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
  siginfo_t info;
  waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED);  // every signal is blocked: no EINTR
  _exit(127);
}

}  // namespace ctr
