// spawn.cc — parent side of the container spawn: validate the JS options, build the child's plan (every
// string, argv/envp and the mount table, since the child may not allocate), clone3, then start/abort/kill and
// exit watching on the pidfd. Runs on the JS main thread only: PR_SET_PDEATHSIG fires when the *thread* that
// cloned exits, and the JS thread lives as long as the process.
// See: clone(2), pthread_sigmask(3), pipe(7), unix(7) (SCM_RIGHTS), pidfd_send_signal(2), mount(2),
// user_namespaces(7), capabilities(7), seccomp(2).
#include "spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "child.h"
#include "errors.h"
#include "exit_watch.h"
#include "fd_passing.h"
#include "layer.h"
#include "mounts.h"
#include "supervisor.h"
#include "unique_fd.h"
#include "userns.h"

namespace ctr {
namespace {

const char* StageName(int stage) {
  switch (stage) {
    case CTR_STAGE_PDEATHSIG: return "pdeathsig";
    case CTR_STAGE_SYNC: return "sync";
    case CTR_STAGE_USERNS: return "userns";
    case CTR_STAGE_CREDENTIALS: return "credentials";
    case CTR_STAGE_CGROUPNS: return "cgroupns";
    case CTR_STAGE_ROOTFS: return "rootfs";
    case CTR_STAGE_PROC: return "proc";
    case CTR_STAGE_SYS: return "sys";
    case CTR_STAGE_DEV: return "dev";
    case CTR_STAGE_HOSTNAME: return "hostname";
    case CTR_STAGE_PIVOT_ROOT: return "pivot_root";
    case CTR_STAGE_MASKED_PATHS: return "masked_paths";
    case CTR_STAGE_READONLY_PATHS: return "readonly_paths";
    case CTR_STAGE_READONLY_ROOT: return "readonly_root";
    case CTR_STAGE_CWD: return "cwd";
    case CTR_STAGE_TERMINAL: return "terminal";
    case CTR_STAGE_SIGNALS: return "signals";
    case CTR_STAGE_CAPABILITIES: return "capabilities";
    case CTR_STAGE_NO_NEW_PRIVS: return "no_new_privs";
    case CTR_STAGE_FDS: return "fds";
    case CTR_STAGE_SECCOMP: return "seccomp";
    case CTR_STAGE_EXEC: return "exec";
    case CTR_STAGE_JOIN: return "join";
    case CTR_STAGE_USER: return "user";
    case CTR_STAGE_MOUNTS: return "mounts";
    case CTR_STAGE_RLIMITS: return "rlimits";
    case CTR_STAGE_SYSCTL: return "sysctl";
    case CTR_STAGE_CGROUP: return "cgroup";
    default: return "unknown";
  }
}

// Reads up to `size` bytes, retrying EINTR and short reads; fewer only at end of file (or an error).
size_t ReadFull(int fd, void* buf, size_t size) {
  size_t got = 0;
  while (got < size) {
    ssize_t n = read(fd, static_cast<char*>(buf) + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Everything the child reads, kept alive (and at stable addresses: a deque never moves its elements) in the
// parent until clone has copied the address space.
class Plan {
 public:
  ChildPlan child{};
  std::vector<std::string> argv, candidates;  // also needed for ctr-init's argv once the fds are known
  std::string rootfs;
  bool init = false;  // ctr-init stays as PID 1; else it only execs the command
  bool userns = false;
  int skippedNs = 0;  // CLONE_NEW* flags left out on purpose: test-only, see TestSkippedNamespaces
  IdMapping mapping{};
  std::string layer;  // empty: the container writes into the rootfs itself
  LayerSlots slots;
  // options.supervisor: the container is cloned by a launcher that becomes ctr-shim (src/supervisor.h).
  bool supervised = false;
  bool supervisorOwnsTerminal = false;  // the pty master goes to the shim, not to start()
  bool supervisorStarts = false;        // the shim holds "go" and the failure pipe (`ctr create` + `ctr start`)
  MountPlan mounts;  // options.mounts; holds the bind sources' trees until the plan goes
  ProcessHolder process;  // options.rlimits, joinNamespaces, sysctl, user, umask; the joined namespaces' fds
  SupervisorPlan sup{};
  std::vector<std::string> supArgs;
  std::vector<int> keepFds;
  std::vector<int> cgroupTaskFds;  // options.cgroup.taskFds (the caller keeps and closes them)
  int cgroupFd = -1;               // options.cgroup.cgroupFd
  char pidfdDigits[SupervisorPlan::kDigits] = {};
  Fd execFifo;  // the O_PATH fd of options.execFifo; the child has its copy once cloned

  const char* Keep(std::string s) { return strings_.emplace_back(std::move(s)).c_str(); }
  char* const* KeepArgv(const std::vector<std::string>& items) {
    auto& vec = argvs_.emplace_back();
    for (const auto& item : items) vec.push_back(const_cast<char*>(Keep(item)));
    vec.push_back(nullptr);
    return vec.data();
  }
  void Op(SetupOp op) { ops_.push_back(op); }
  // A copy of the BPF program: the JS Buffer may move or be collected.
  const sock_filter* KeepFilter(const uint8_t* bytes, size_t length) {
    filter_.resize(length / sizeof(sock_filter));
    memcpy(filter_.data(), bytes, length);
    return filter_.data();
  }
  void Finish() {
    child.ops = ops_.data();
    child.opCount = static_cast<int>(ops_.size());
    child.mounts = mounts.ops.data();
    child.mountCount = static_cast<int>(mounts.ops.size());
  }

 private:
  std::deque<std::string> strings_;
  std::deque<std::vector<char*>> argvs_;
  std::vector<SetupOp> ops_;
  std::vector<sock_filter> filter_;
};

// A device node the caller asked for (`--device`), already validated by lib/devices.ts.
struct DeviceNode {
  std::string path;      // inside the container, under /dev
  std::string hostPath;  // bound over `path` in a user namespace
  mode_t mode;           // S_IFCHR or S_IFBLK | permissions
  dev_t device;
};

// Creates the node at `at(name)` (name relative to the rootfs): mknod, or in a user namespace a bind of the
// host's node at `hostPath`.
void AddNode(Plan& plan, const char* path, const std::string& hostPath, mode_t mode, dev_t device) {
  if (plan.userns)
    plan.Op({SetupOp::kBindNode, CTR_STAGE_DEV, path, plan.Keep(hostPath), nullptr, 0, nullptr, 0, 0});
  else
    plan.Op({SetupOp::kMknod, CTR_STAGE_DEV, path, nullptr, nullptr, 0, nullptr, mode, device});
}

// The mount table, runc's defaults: /proc and /sys read-only-ish, a tmpfs /dev with the six OCI nodes and the
// caller's devices, a private devpts instance, /dev/shm and the /proc/self/fd symlinks (runtime-spec
// config-linux.md). With a layer the root is an overlay whose lower layer is the rootfs (layer.h): mount
// points created below land in the container's upper directory, never in the rootfs. In a user namespace
// the rootfs is the idmapped tree from the parent and the device nodes are binds of the host's (mknod is
// EPERM there; runc and bubblewrap bind them too).
void AddMountTable(Napi::Env env, Plan& plan, const std::string& rootfs, const std::vector<DeviceNode>& devices) {
  auto at = [&](const char* rel) { return plan.Keep(rootfs + "/" + rel); };
  const unsigned long kHardened = MS_NOSUID | MS_NOEXEC | MS_NODEV;
  // Private first so nothing we mount or unmount propagates back to the host's mount namespace.
  plan.Op({SetupOp::kMount, CTR_STAGE_ROOTFS, "/", nullptr, nullptr, MS_REC | MS_PRIVATE, nullptr, 0, 0});
  // pivot_root needs the new root to be a mount point.
  if (!plan.layer.empty())
    plan.Op({SetupOp::kOverlay, CTR_STAGE_ROOTFS, plan.Keep(rootfs), "overlay", "overlay", 0,
             plan.Keep(PrepareLayer(env, rootfs, plan.layer, plan.userns, plan.slots)), 0, 0});
  else if (plan.userns)
    plan.Op({SetupOp::kMoveTree, CTR_STAGE_ROOTFS, plan.Keep(rootfs), nullptr, nullptr, 0, nullptr, 0, 0});
  else
    plan.Op({SetupOp::kMount, CTR_STAGE_ROOTFS, plan.Keep(rootfs), plan.Keep(rootfs), nullptr, MS_BIND | MS_REC,
             nullptr, 0, 0});
  plan.Op({SetupOp::kMkdir, CTR_STAGE_PROC, at("proc"), nullptr, nullptr, 0, nullptr, 0755, 0});
  // Mounted by this child, which is PID 1 of the new PID namespace: the procfs shows only the container.
  plan.Op({SetupOp::kMount, CTR_STAGE_PROC, at("proc"), "proc", "proc", kHardened, nullptr, 0, 0});
  plan.Op({SetupOp::kMkdir, CTR_STAGE_SYS, at("sys"), nullptr, nullptr, 0, nullptr, 0755, 0});
  plan.Op({SetupOp::kMount, CTR_STAGE_SYS, at("sys"), "sysfs", "sysfs", kHardened | MS_RDONLY, nullptr, 0, 0});
  plan.Op({SetupOp::kMkdir, CTR_STAGE_DEV, at("dev"), nullptr, nullptr, 0, nullptr, 0755, 0});
  plan.Op({SetupOp::kMount, CTR_STAGE_DEV, at("dev"), "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
           "mode=755,size=65536k", 0, 0});
  struct Node {
    const char* name;
    unsigned major, minor;
  };
  auto requested = [&](const std::string& path) {
    for (const auto& d : devices)
      if (d.path == path) return true;
    return false;
  };
  for (Node node : {Node{"dev/null", 1, 3}, Node{"dev/zero", 1, 5}, Node{"dev/full", 1, 7},
                    Node{"dev/random", 1, 8}, Node{"dev/urandom", 1, 9}, Node{"dev/tty", 5, 0}}) {
    std::string inside = std::string("/") + node.name;
    // a `--device` for the same path takes the default node's place
    if (!requested(inside)) AddNode(plan, at(node.name), inside, S_IFCHR | 0666, makedev(node.major, node.minor));
  }
  for (const auto& d : devices) {
    // parents below /dev first (/dev/net for /dev/net/tun); mkdir tolerates the ones that exist
    for (size_t slash = d.path.find('/', 5); slash != std::string::npos; slash = d.path.find('/', slash + 1))
      plan.Op({SetupOp::kMkdir, CTR_STAGE_DEV, plan.Keep(rootfs + d.path.substr(0, slash)), nullptr, nullptr, 0,
               nullptr, 0755, 0});
    AddNode(plan, plan.Keep(rootfs + d.path), d.hostPath, d.mode, d.device);
  }
  plan.Op({SetupOp::kMkdir, CTR_STAGE_DEV, at("dev/pts"), nullptr, nullptr, 0, nullptr, 0755, 0});
  // newinstance: a devpts of our own, so the container sees only its ptys and index 0 is free for ours.
  // gid=5 (tty) is interpreted in the mounter's user namespace: EINVAL when a small mapping lacks it.
  bool ttyGroup = !plan.userns || plan.mapping.size > 5;
  plan.Op({SetupOp::kMount, CTR_STAGE_DEV, at("dev/pts"), "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
           ttyGroup ? "newinstance,ptmxmode=0666,mode=0620,gid=5" : "newinstance,ptmxmode=0666,mode=0620", 0, 0});
  plan.Op({SetupOp::kSymlink, CTR_STAGE_DEV, at("dev/ptmx"), "pts/ptmx", nullptr, 0, nullptr, 0, 0});
  plan.Op({SetupOp::kMkdir, CTR_STAGE_DEV, at("dev/shm"), nullptr, nullptr, 0, nullptr, 01777, 0});
  plan.Op({SetupOp::kMount, CTR_STAGE_DEV, at("dev/shm"), "shm", "tmpfs", kHardened, "mode=1777,size=65536k",
           0, 0});
  plan.Op({SetupOp::kSymlink, CTR_STAGE_DEV, at("dev/fd"), "/proc/self/fd", nullptr, 0, nullptr, 0, 0});
  plan.Op({SetupOp::kSymlink, CTR_STAGE_DEV, at("dev/stdin"), "/proc/self/fd/0", nullptr, 0, nullptr, 0, 0});
  plan.Op({SetupOp::kSymlink, CTR_STAGE_DEV, at("dev/stdout"), "/proc/self/fd/1", nullptr, 0, nullptr, 0, 0});
  plan.Op({SetupOp::kSymlink, CTR_STAGE_DEV, at("dev/stderr"), "/proc/self/fd/2", nullptr, 0, nullptr, 0, 0});
}

std::string StringOption(Napi::Object opts, const char* key) {
  Napi::Value v = opts.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(opts.Env(), std::string("options.") + key + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

std::vector<std::string> StringArrayOption(Napi::Object opts, const char* key) {
  Napi::Value v = opts.Get(key);
  std::string what = std::string("options.") + key;
  if (!v.IsArray()) throw Napi::TypeError::New(opts.Env(), what + " must be an array of strings");
  Napi::Array array = v.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) throw Napi::TypeError::New(opts.Env(), what + " must be an array of strings");
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return out;
}

bool PathExists(const char* path) { return access(path, F_OK) == 0; }

uint32_t Uint32Option(Napi::Object opts, const char* key) {
  Napi::Value v = opts.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(opts.Env(), std::string("options.") + key + " must be a number");
  return v.As<Napi::Number>().Uint32Value();
}

// options.devices, already validated by lib/devices.ts; absent = none.
std::vector<DeviceNode> DeviceOption(Napi::Object opts) {
  std::vector<DeviceNode> out;
  Napi::Value value = opts.Get("devices");
  if (value.IsUndefined()) return out;
  if (!value.IsArray()) throw Napi::TypeError::New(opts.Env(), "options.devices must be an array");
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Object d = array.Get(i).As<Napi::Object>();
    std::string path = StringOption(d, "path");
    if (path.rfind("/dev/", 0) != 0) throw Napi::TypeError::New(opts.Env(), "options.devices[].path must be under /dev");
    mode_t type = StringOption(d, "type") == "b" ? S_IFBLK : S_IFCHR;
    out.push_back({path, StringOption(d, "hostPath"), type | (Uint32Option(d, "mode") & 07777),
                   makedev(Uint32Option(d, "major"), Uint32Option(d, "minor"))});
  }
  return out;
}

// options.security.<key>, an array of capability numbers 0..last, as a bit mask.
uint64_t CapabilityMask(Napi::Env env, Napi::Object sec, const char* key, int last) {
  Napi::Value value = sec.Get(key);
  if (!value.IsArray()) throw Napi::TypeError::New(env, std::string("options.security.") + key + " must be an array");
  Napi::Array caps = value.As<Napi::Array>();
  uint64_t mask = 0;
  for (uint32_t i = 0; i < caps.Length(); i++) {
    Napi::Value item = caps.Get(i);
    int cap = item.IsNumber() ? item.As<Napi::Number>().Int32Value() : -1;
    if (cap < 0 || cap > last)
      throw Napi::RangeError::New(env, std::string("options.security.") + key + " must be numbers 0..lastCap");
    mask |= uint64_t{1} << cap;
  }
  return mask;
}

// options.security, already validated by lib/security.ts; the checks here only keep the plan well-formed.
void AddSecurity(Napi::Env env, Napi::Object opts, Plan& plan) {
  Napi::Value value = opts.Get("security");
  if (value.IsUndefined()) return;
  Napi::Object sec = value.As<Napi::Object>();
  SecurityPlan& s = plan.child.security;
  s.capabilities = true;
  s.capLastCap = static_cast<int>(Uint32Option(sec, "lastCap"));
  if (s.capLastCap > 63) throw Napi::RangeError::New(env, "options.security.lastCap must be at most 63");
  s.capKeep = CapabilityMask(env, sec, "capabilities", s.capLastCap);
  s.capPermitted = CapabilityMask(env, sec, "permitted", s.capLastCap);
  s.capEffective = CapabilityMask(env, sec, "effective", s.capLastCap);
  s.capInheritable = CapabilityMask(env, sec, "inheritable", s.capLastCap);
  s.capAmbient = CapabilityMask(env, sec, "ambient", s.capLastCap);
  s.noNewPrivileges = sec.Get("noNewPrivileges").ToBoolean();
  s.readonlyRootfs = sec.Get("readonlyRootfs").ToBoolean();

  Napi::Value seccomp = sec.Get("seccomp");
  if (!seccomp.IsUndefined()) {
    if (!seccomp.IsBuffer()) throw Napi::TypeError::New(env, "options.security.seccomp must be a Buffer");
    auto program = seccomp.As<Napi::Buffer<uint8_t>>();
    size_t count = program.Length() / sizeof(sock_filter);
    if (program.Length() % sizeof(sock_filter) != 0 || count == 0 || count > BPF_MAXINSNS)
      throw Napi::RangeError::New(env, "options.security.seccomp must hold 1-4096 8-byte instructions");
    s.seccomp = plan.KeepFilter(program.Data(), program.Length());
    s.seccompLength = static_cast<unsigned short>(count);
  }

  std::vector<std::string> masked = StringArrayOption(sec, "maskedPaths");
  s.maskedPaths = const_cast<const char* const*>(plan.KeepArgv(masked));
  s.maskedCount = static_cast<int>(masked.size());
  std::vector<std::string> readonly = StringArrayOption(sec, "readonlyPaths");
  s.readonlyPaths = const_cast<const char* const*>(plan.KeepArgv(readonly));
  s.readonlyCount = static_cast<int>(readonly.size());

  Napi::Value userns = sec.Get("userns");
  if (!userns.IsUndefined()) {
    Napi::Object map = userns.As<Napi::Object>();
    plan.mapping = {Uint32Option(map, "hostUid"), Uint32Option(map, "hostGid"), Uint32Option(map, "size")};
    if (plan.mapping.size == 0) throw Napi::RangeError::New(env, "options.security.userns.size must be positive");
    plan.userns = s.userns = true;
  }
}

// The fds the parent keeps after clone. Supervised: `pidfd` comes from pidfd_open (the container is the
// shim's child), and `reapFd` is the shim's pidfd (the shim is ours to reap); else both are the child's.
struct Spawned {
  pid_t pid;
  int pidfd, syncFd, errorFd, terminalSock;
  pid_t supervisorPid;
  int reapFd;
  int reportFd;  // exec: where the program's pid arrives after start(), -1 otherwise
};

Napi::Object ExitStatusObject(Napi::Env env, ExitStatus status) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("exitCode", status.exitCode >= 0 ? Napi::Value(Napi::Number::New(env, status.exitCode)) : env.Null());
  out.Set("signal", status.signal != 0 ? Napi::Value(Napi::Number::New(env, status.signal)) : env.Null());
  return out;
}

class Container : public Napi::ObjectWrap<Container> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Container",
                       {InstanceAccessor<&Container::Pid>("pid"), InstanceAccessor<&Container::Pidfd>("pidfd"),
                        InstanceAccessor<&Container::SupervisorPid>("supervisorPid"),
                        InstanceMethod<&Container::Start>("start"), InstanceMethod<&Container::StartAsync>("startAsync"),
                        InstanceMethod<&Container::OnExit>("onExit"),
                        InstanceMethod<&Container::Kill>("kill"), InstanceMethod<&Container::Abort>("abort")});
  }

  explicit Container(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Container>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
      throw Napi::TypeError::New(info.Env(), "Container is created by spawnContainer()");
    const Spawned& s = *info[0].As<Napi::External<Spawned>>().Data();
    pid_ = s.pid;
    pidfd_ = s.pidfd;
    syncFd_ = s.syncFd;
    errorFd_ = s.errorFd;
    terminalSock_ = s.terminalSock;
    supervisorPid_ = s.supervisorPid;
    reapFd_ = s.reapFd;
    reportFd_ = s.reportFd;
    // Started by its shim (supervisor.holdsStart): never ours to start, or to kill when this handle goes.
    if (syncFd_ < 0) started_ = true;
  }

  ~Container() override {
    // A container that was never started is killed with its handle; a started one keeps running (the
    // caller owns it) — it cannot be reaped without blocking, so it is left to onExit()/abort().
    if (!started_ && !reaped_) KillAndReap();
    ClosePipes();
    CloseReapFd();
  }

 private:
  Napi::Value Pid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), pid_); }
  Napi::Value SupervisorPid(const Napi::CallbackInfo& info) {
    return supervisorPid_ > 0 ? Napi::Value(Napi::Number::New(info.Env(), supervisorPid_)) : info.Env().Undefined();
  }
  Napi::Value Pidfd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), pidfd_); }

  // start(): { ptyMaster?: number }
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Go(info.Env());
    if (reportFd_ >= 0) ReadExecReport();
    return FinishStart(info.Env());
  }

  // startAsync(callback: (error: Error | null, result?: { ptyMaster?: number }) => void): void — start()
  // without blocking this thread while the child builds its root and execs (1-5 ms, more when many set up at
  // once): the error pipe is polled on the event loop instead, so one process can set up others meanwhile.
  // The child writes its failure record in one write() smaller than PIPE_BUF, then _exit()s; so once the pipe
  // polls readable, the whole record or end-of-file is there and FinishStart's read does not block.
  Napi::Value StartAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Function callback = info[0].As<Napi::Function>();
    if (reportFd_ >= 0) {
      // exec: its report pipe gives the program's pid first; that path stays synchronous
      Napi::Value result;
      try {
        result = Start(info);
      } catch (const Napi::Error& e) {
        callback.Call({e.Value()});
        return env.Undefined();
      }
      callback.Call({env.Null(), result});
      return env.Undefined();
    }
    Go(env);
    startCallback_ = Napi::Persistent(callback);
    startWatch_ = PidfdWatch::Start(env, errorFd_, &Container::OnErrorPipeReadable, this);
    Ref();  // alive (with its callback) until the pipe has spoken
    return env.Undefined();
  }

  static void OnErrorPipeReadable(void* data) {
    auto* self = static_cast<Container*>(data);
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    Napi::FunctionReference callback = std::move(self->startCallback_);
    self->StopStartWatch();
    Napi::Value error = env.Null(), result = env.Undefined();
    try {
      result = self->FinishStart(env);
    } catch (const Napi::Error& e) {
      error = e.Value();
    }
    Deliver(env, callback, {error, result});
  }

  void StopStartWatch() { Unwatch(startWatch_, startCallback_); }

  // Calls back into JS from a libuv callback: a throw there has no JS caller to go to.
  static void Deliver(Napi::Env env, Napi::FunctionReference& callback, const std::initializer_list<napi_value>& args) {
    try {
      callback.MakeCallback(env.Global(), args);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(env, e.Value());
    }
  }

  // Stops a watch (exit or start) and lets this object go: it was kept alive for the watch's callback.
  void Unwatch(PidfdWatch*& watch, Napi::FunctionReference& callback) {
    watch->Close();
    watch = nullptr;
    callback.Reset();
    Unref();
  }

  // Lets the child go on ("G" on the sync pipe).
  void Go(Napi::Env env) {
    if (started_ || reaped_) throw Napi::Error::New(env, "container was already started or aborted");
    started_ = true;
    // EPIPE (SIGPIPE is ignored by Node) means the child is gone already; its report, if any, is in the pipe.
    ssize_t w;
    do w = write(syncFd_, "G", 1);
    while (w < 0 && errno == EINTR);
    CloseFd(syncFd_);
  }

  // Reads the child's verdict from the error pipe: end-of-file (it exec'd) or a failure record (thrown).
  Napi::Object FinishStart(Napi::Env env) {
    ctr_setup_failure record{};
    size_t got = ReadFull(errorFd_, &record, sizeof record);
    CloseFd(errorFd_);
    if (got > 0) {
      // The reporter _exit()s right after its write (ctr-init follows its child), so no kill: the status
      // stays the honest 127/126 instead of racing SIGKILL against _exit.
      Reap();
      if (watch_ != nullptr) StopWatch();
      ClosePipes();
      if (got != sizeof record) throw Napi::Error::New(env, "container child sent a truncated setup report");
      record.syscall[sizeof record.syscall - 1] = '\0';
      record.path[sizeof record.path - 1] = '\0';
      Napi::Error error = ErrnoError(env, record.err, record.syscall, record.path[0] ? record.path : nullptr,
                                     "container setup failed at ");
      error.Value().Set("stage", Napi::String::New(env, StageName(record.stage)));
      throw error;
    }

    Napi::Object result = Napi::Object::New(env);
    if (terminalSock_ >= 0) {
      // The master was sent before exec, so it is already queued.
      int master = ReceiveFd(terminalSock_);
      int err = errno;
      CloseFd(terminalSock_);
      if (master < 0) throw ErrnoError(env, err, "recvmsg", nullptr, "receiving the container's pty master: ");
      result.Set("ptyMaster", Napi::Number::New(env, master));
    }
    return result;
  }

  // onExit(callback: (status: { exitCode: number | null, signal: number | null }) => void): void
  Napi::Value OnExit(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (reaped_) throw Napi::Error::New(env, "container was already reaped");
    if (watch_ != nullptr) throw Napi::Error::New(env, "onExit was already called");
    callback_ = Napi::Persistent(info[0].As<Napi::Function>());
    watch_ = PidfdWatch::Start(env, reapFd_, &Container::OnPidfdReadable, this);
    Ref();  // keep this object (and its callback) alive while the poll handle keeps the loop alive
    return env.Undefined();
  }

  // kill(signal: number): boolean — false when the process is already gone
  Napi::Value Kill(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int sig = info[0].As<Napi::Number>().Int32Value();
    if (reaped_ || pidfd_ < 0) return Napi::Boolean::New(env, false);
    if (syscall(SYS_pidfd_send_signal, pidfd_, sig, nullptr, 0) < 0) {
      if (errno == ESRCH) return Napi::Boolean::New(env, false);
      ThrowErrno(env, errno, "pidfd_send_signal");
    }
    return Napi::Boolean::New(env, true);
  }

  // abort(): ExitStatus — SIGKILL and reap now unless already reaped; returns the status either way. A
  // pending onExit callback is dropped (the caller learns the status from the return value).
  Napi::Value Abort(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    // A pending startAsync learns that its start is over, once the child is gone.
    Napi::FunctionReference pendingStart;
    if (startWatch_ != nullptr) {
      pendingStart = std::move(startCallback_);
      StopStartWatch();
    }
    // Kill before closing the sync pipe: on EOF a waiting child exits 0 by itself, which would race the kill.
    if (!reaped_) KillAndReap();
    ClosePipes();
    if (watch_ != nullptr) StopWatch();
    if (!pendingStart.IsEmpty()) pendingStart.Call({Napi::Error::New(env, "container was aborted before it started").Value()});
    return ExitStatusObject(env, status_);
  }

  static void OnPidfdReadable(void* data) {
    auto* self = static_cast<Container*>(data);
    ExitStatus status{};
    int reaped = ReapPidfd(self->reapFd_, false, &status);
    if (reaped == 0) return;  // spurious wakeup: still running
    // ECHILD would mean someone else reaped it (a waitpid(-1) elsewhere): the status is unknown, both null.
    if (reaped > 0) self->status_ = status;
    self->reaped_ = true;
    self->CloseReapFd();
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    Napi::FunctionReference callback = std::move(self->callback_);
    self->StopWatch();
    Deliver(env, callback, {ExitStatusObject(env, status)});
  }

  void StopWatch() { Unwatch(watch_, callback_); }

  void KillAndReap() {
    // SIGKILL on a child that already exited (a zombie) is harmless; the reap below collects its real status.
    if (pidfd_ >= 0) syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
    if (reapFd_ != pidfd_) {
      syscall(SYS_pidfd_send_signal, reapFd_, SIGKILL, nullptr, 0);
      // The container is the shim's child, not ours: it is gone once its pidfd polls readable. (An exec'd
      // program reaped before start() could open its pidfd has none: nothing to wait for.)
      pollfd pfd{pidfd_, POLLIN, 0};
      while (pidfd_ >= 0 && poll(&pfd, 1, 5000) < 0 && errno == EINTR) {
      }
    }
    Reap();
  }

  // Reaps our child: the container itself, or its shim when supervised (which reaped the container).
  void Reap() {
    ExitStatus status{};
    if (ReapPidfd(reapFd_, true, &status) > 0) status_ = status;
    reaped_ = true;
    CloseReapFd();
  }

  void CloseReapFd() {
    if (reapFd_ != pidfd_) CloseFd(reapFd_);
    reapFd_ = -1;
    CloseFd(pidfd_);
  }

  void ClosePipes() {
    CloseFd(syncFd_);
    CloseFd(errorFd_);
    CloseFd(terminalSock_);
    CloseFd(reportFd_);
  }

  // exec: the joining process forked the program; from now on `pid` and kill() mean the program (it is not
  // our child: the joining process, which we reap, exits with its status). EOF: joining failed, and the
  // error pipe says why.
  // The program can be gone before we read this: with --detach the joining process exits at once, the
  // program goes to the engine's subreaper, and a quick one is reaped there before pidfd_open (ESRCH). `pid`
  // must still name it: an engine matches the exit it reaped against the pid file (containerd 1.6's shim
  // waits for it), and the joining process's pid there left `ctr tasks exec` waiting forever.
  void ReadExecReport() {
    int32_t pid = 0;
    size_t got = ReadFull(reportFd_, &pid, sizeof pid);
    CloseFd(reportFd_);
    if (got != sizeof pid || pid <= 0) return;
    int fd = static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
    pid_ = pid;
    pidfd_ = fd;  // -1 when already reaped: kill() then reports false
  }

  pid_t pid_ = -1, supervisorPid_ = -1;
  int pidfd_ = -1, syncFd_ = -1, errorFd_ = -1, terminalSock_ = -1, reapFd_ = -1, reportFd_ = -1;
  bool started_ = false, reaped_ = false;
  ExitStatus status_{-1, 0};  // both null in JS until reaped
  PidfdWatch* watch_ = nullptr;
  Napi::FunctionReference callback_;
  PidfdWatch* startWatch_ = nullptr;  // startAsync: polls the error pipe
  Napi::FunctionReference startCallback_;
};

// Test-only: CTR_TEST_SKIP_NS=uts,ipc,pid,cgroup leaves those namespaces shared with the host, so the e2e
// suite can prove that `ctr demo` notices a missing one (and names it). Read only when set; never set it
// outside tests. mnt, net and user are refused: sharing them would let the container's setup mount over,
// rewire or re-own the host itself. Without a UTS namespace the hostname is not set (it would rename the host).
int TestSkippedNamespaces(Napi::Env env) {
  const char* value = getenv("CTR_TEST_SKIP_NS");
  if (value == nullptr || *value == '\0') return 0;
  int skipped = 0;
  std::string list(value);
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (name == "uts") skipped |= CLONE_NEWUTS;
    else if (name == "ipc") skipped |= CLONE_NEWIPC;
    else if (name == "pid") skipped |= CLONE_NEWPID;
    else if (name == "cgroup") skipped |= CLONE_NEWCGROUP;
    else throw Napi::TypeError::New(env, "CTR_TEST_SKIP_NS: \"" + name + "\" cannot be skipped (test-only; uts, ipc, pid, cgroup)");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return skipped;
}

// Builds the plan from the options object (see lib/spawn.ts for the validated shape).
// What a container's first process and an exec'd program share: the working directory, argv and the PATH
// candidates (they reach the program through ctr-init's command line, AddInitArgv), the environment, and the
// sealed ctr-init image, whose exec is the child's only one.
void ReadCommand(Napi::Env env, Napi::Object opts, Plan& plan) {
  ChildPlan& c = plan.child;
  c.cwd = plan.Keep(StringOption(opts, "cwd"));
  plan.argv = StringArrayOption(opts, "argv");
  plan.candidates = StringArrayOption(opts, "execCandidates");
  if (plan.argv.empty() || plan.candidates.empty())
    throw Napi::TypeError::New(env, "options.argv and options.execCandidates must not be empty");
  c.envp = plan.KeepArgv(StringArrayOption(opts, "env"));
  c.initFd = static_cast<int>(Uint32Option(opts, "initFd"));
  c.execFifoFd = -1;
  Napi::Value preserve = opts.Get("preserveFds");
  if (!preserve.IsUndefined()) c.preserveFds = static_cast<int>(Uint32Option(opts, "preserveFds"));
}

void BuildPlan(Napi::Env env, Napi::Object opts, Plan& plan) {
  ChildPlan& c = plan.child;
  std::string rootfs = StringOption(opts, "rootfs");
  if (rootfs.empty() || rootfs[0] != '/') throw Napi::TypeError::New(env, "options.rootfs must be absolute");
  while (rootfs.size() > 1 && rootfs.back() == '/') rootfs.pop_back();
  c.rootfs = plan.Keep(rootfs);
  std::string hostname = StringOption(opts, "hostname");
  if (hostname.size() > 64) throw Napi::TypeError::New(env, "options.hostname is longer than 64 bytes");
  c.hostnameLength = static_cast<int>(hostname.size());
  c.hostname = plan.Keep(hostname);
  ReadCommand(env, opts, plan);

  plan.init = opts.Get("init").ToBoolean();

  Napi::Object stdio = opts.Get("stdio").As<Napi::Object>();
  std::string kind = StringOption(stdio, "kind");
  if (kind == "pty") {
    c.pty = true;
    c.rows = static_cast<unsigned short>(stdio.Get("rows").As<Napi::Number>().Uint32Value());
    c.cols = static_cast<unsigned short>(stdio.Get("cols").As<Napi::Number>().Uint32Value());
  } else if (kind == "fds") {
    Napi::Array fds = stdio.Get("fds").As<Napi::Array>();
    if (fds.Length() != 3) throw Napi::TypeError::New(env, "options.stdio.fds must have 3 entries");
    for (uint32_t i = 0; i < 3; i++) c.stdioFds[i] = fds.Get(i).As<Napi::Number>().Int32Value();
  } else {
    throw Napi::TypeError::New(env, "options.stdio.kind must be 'pty' or 'fds'");
  }

  Napi::Value supervisor = opts.Get("supervisor");
  if (supervisor.IsObject()) {
    Napi::Object sup = supervisor.As<Napi::Object>();
    plan.supervised = true;
    plan.sup.imageFd = static_cast<int>(Uint32Option(sup, "imageFd"));
    plan.supArgs = StringArrayOption(sup, "args");
    plan.supervisorOwnsTerminal = c.pty && sup.Get("ownsTerminal").ToBoolean();
    plan.supervisorStarts = sup.Get("holdsStart").ToBoolean();
    // Detached (the shim takes the output, or the start): no fd 0-2 of this process is the container's stdio.
    plan.sup.nullStdio = plan.supervisorOwnsTerminal || plan.supervisorStarts || sup.Get("detached").ToBoolean();
    Napi::Value keep = sup.Get("keepFds");
    if (!keep.IsArray()) throw Napi::TypeError::New(env, "options.supervisor.keepFds must be an array");
    for (uint32_t i = 0; i < keep.As<Napi::Array>().Length(); i++)
      plan.keepFds.push_back(keep.As<Napi::Array>().Get(i).As<Napi::Number>().Int32Value());
  }

  Napi::Value cgroup = opts.Get("cgroup");
  if (cgroup.IsObject()) {
    Napi::Object join = cgroup.As<Napi::Object>();
    Napi::Value tasks = join.Get("taskFds");
    if (!tasks.IsArray()) throw Napi::TypeError::New(env, "options.cgroup.taskFds must be an array");
    for (uint32_t i = 0; i < tasks.As<Napi::Array>().Length(); i++)
      plan.cgroupTaskFds.push_back(tasks.As<Napi::Array>().Get(i).As<Napi::Number>().Int32Value());
    if (join.Get("cgroupFd").IsNumber()) plan.cgroupFd = static_cast<int>(Uint32Option(join, "cgroupFd"));
  }
  c.cgroupTaskFds = plan.cgroupTaskFds.data();
  c.cgroupTaskCount = static_cast<int>(plan.cgroupTaskFds.size());

  plan.skippedNs = TestSkippedNamespaces(env);
  plan.process.Read(env, opts, c.process);
  if (plan.process.joinPidFd >= 0 && !plan.supervised)
    throw Napi::TypeError::New(env, "options.joinNamespaces: a pid namespace can only be joined with options.supervisor");
  c.newCgroupNs = PathExists("/proc/self/ns/cgroup") && !(plan.skippedNs & CLONE_NEWCGROUP) &&
                  !(plan.process.joinedFlags & CLONE_NEWCGROUP);
  // A joined UTS namespace keeps its own name (lib/process.ts requires hostname '' then).
  c.setHostname = !(plan.skippedNs & CLONE_NEWUTS) && !(plan.process.joinedFlags & CLONE_NEWUTS);
  plan.rootfs = rootfs;
  Napi::Value layer = opts.Get("layer");
  if (!layer.IsUndefined()) {
    plan.layer = StringOption(opts, "layer");
    if (plan.layer.empty() || plan.layer[0] != '/') throw Napi::TypeError::New(env, "options.layer must be absolute");
  }
  Napi::Value fifo = opts.Get("execFifo");
  if (!fifo.IsUndefined()) {
    std::string path = StringOption(opts, "execFifo");
    // 0622 as runc: `start` (root) reads, and the container's init writes whatever user it runs as.
    // chmod rather than umask(0): the umask is process-wide, shared with libuv's threads.
    if (mkfifo(path.c_str(), 0600) < 0) ThrowErrno(env, errno, "mkfifo", path.c_str());
    if (chmod(path.c_str(), 0622) < 0) ThrowErrno(env, errno, "chmod", path.c_str());
    // O_PATH: opening the fifo for real would block (no reader yet); the child re-opens it inside.
    c.execFifoFd = open(path.c_str(), O_PATH | O_CLOEXEC);
    if (c.execFifoFd < 0) ThrowErrno(env, errno, "open", path.c_str());
    plan.execFifo.fd = c.execFifoFd;
    c.outlivesParent = true;
  }
  AddSecurity(env, opts, plan);
  AddMountTable(env, plan, rootfs, DeviceOption(opts));
  plan.mounts.Read(env, opts.Get("mounts"));
  c.lowerSlot = plan.slots.lower.fd;
  c.layerSlot = plan.slots.layer.fd;
  plan.Finish();
}

// ctr-init's command line: `ctr-init [-x] -r ERRFD -e CANDIDATE... -- ARGV...` (see init/ctr-init.c).
void AddInitArgv(Plan& plan) {
  std::vector<std::string> init = {"ctr-init", "-r", std::to_string(plan.child.errorWrite)};
  if (!plan.init) init.push_back("-x");
  if (plan.child.execFifoFd >= 0) {
    init.push_back("-f");
    init.push_back(std::to_string(plan.child.execFifoFd));
  }
  for (const auto& c : plan.candidates) {
    init.push_back("-e");
    init.push_back(c);
  }
  init.push_back("--");
  init.insert(init.end(), plan.argv.begin(), plan.argv.end());
  plan.child.initArgv = plan.KeepArgv(init);
}

// The shim's command line (see init/ctr-shim.c): the caller's arguments, then the fds only known now. The
// container's pidfd number is known only in the launcher, which writes it into pidfdDigits.
void AddSupervisorArgv(Plan& plan, int reportWrite, int terminalSock, int syncWrite, int errorRead) {
  std::vector<std::string> argv = {"ctr-shim"};
  argv.insert(argv.end(), plan.supArgs.begin(), plan.supArgs.end());
  argv.insert(argv.end(), {"-r", std::to_string(reportWrite), "-p", ""});
  size_t digitsAt = argv.size() - 1;
  plan.keepFds.push_back(reportWrite);
  if (plan.supervisorOwnsTerminal) {
    argv.insert(argv.end(), {"-t", std::to_string(terminalSock)});
    plan.keepFds.push_back(terminalSock);
  }
  if (plan.supervisorStarts) {
    argv.insert(argv.end(), {"-g", std::to_string(syncWrite), "-f", std::to_string(errorRead)});
    plan.keepFds.push_back(syncWrite);
    plan.keepFds.push_back(errorRead);
  }
  auto* items = const_cast<char**>(plan.KeepArgv(argv));
  items[digitsAt] = plan.pidfdDigits;
  plan.sup.argv = items;
  plan.sup.pidfdDigits = plan.pidfdDigits;
  plan.sup.reportWrite = reportWrite;
  plan.sup.keepFds = plan.keepFds.data();
  plan.sup.keepCount = static_cast<int>(plan.keepFds.size());
}

// Supervised: reads what the launcher and the shim report (the container's pid, then 'R' once the shim runs).
pid_t ReadSupervisorReport(Napi::Env env, int fd) {
  int32_t pid = 0;
  char ready = 0;
  size_t got = ReadFull(fd, &pid, sizeof pid);
  if (got == sizeof pid) got += ReadFull(fd, &ready, 1);
  if (got >= sizeof pid && pid < 0) ThrowErrno(env, -pid, "clone3");
  if (got == sizeof pid + 1 && ready == 'E') {
    // the launcher could not exec the shim image: its errno follows (supervisor.h)
    int32_t err = 0;
    if (ReadFull(fd, &err, sizeof err) == sizeof err) ThrowErrno(env, err, "execveat", "ctr-shim");
  }
  if (got != sizeof pid + 1 || ready != 'R')
    throw Napi::Error::New(env, "the container's supervisor (ctr-shim) did not start");
  return pid;
}

// The pipes (and the socketpair, for a pty or a user namespace) between this process and a child it clones:
// "go" (sync), the setup failure record (error), and for a supervised spawn or an exec the pid report. The
// child's ends are closed here once the clone is done.
struct Channels {
  int sync[2] = {-1, -1}, error[2] = {-1, -1}, report[2] = {-1, -1}, sockets[2] = {-1, -1};

  // Throws with nothing left open.
  void Open(Napi::Env env, bool withReport, bool withSockets) {
    const char* failed = nullptr;
    if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(error, O_CLOEXEC) < 0 || (withReport && pipe2(report, O_CLOEXEC) < 0))
      failed = "pipe2";
    else if (withSockets && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) < 0)
      failed = "socketpair";
    if (failed == nullptr) return;
    int err = errno;
    CloseAll();
    ThrowErrno(env, err, failed);
  }
  void Wire(ChildPlan& c) const {
    c.syncRead = sync[0];
    c.syncWriteParent = sync[1];
    c.errorReadParent = error[0];
    c.errorWrite = error[1];
    c.reportReadParent = report[0];
    c.reportWrite = report[1];
    c.controlSockParent = sockets[0];
    c.controlSock = sockets[1];
  }
  void CloseChildEnds() {
    CloseFd(sync[0]);
    CloseFd(error[1]);
    CloseFd(report[1]);
    CloseFd(sockets[1]);
  }
  void CloseAll() {
    for (int* fds : {sync, error, report, sockets}) {
      CloseFd(fds[0]);
      CloseFd(fds[1]);
    }
  }
};

// Runs `clone` (which returns the child's pid, or -1 with errno) with every signal blocked across it: the
// child must not run Node's handlers (they write to libuv's signal pipe, shared with us) before it has reset
// them to SIG_DFL, and a launcher sharing our memory never does. errno is kept.
template <typename Clone>
long CloneBlocked(Clone clone) {
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  long pid = clone();
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  errno = err;
  return pid;
}

// clone3 with no stack and no CLONE_VM: the child continues in `runChild` on a copy-on-write image, like
// fork(), and never returns.
template <typename Child>
long Clone3(CloneArgs& args, Child runChild) {
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) runChild();
  return pid;
}

// spawnContainer(options): Container — the child is cloned and waits for start().
Napi::Value SpawnContainer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = info[0].As<Napi::Object>();
  Plan plan;
  BuildPlan(env, opts, plan);
  ChildPlan& c = plan.child;

  bool sendsTrees = plan.userns || !plan.layer.empty();
  Channels ch;
  ch.Open(env, plan.supervised, c.pty || sendsTrees);
  ch.Wire(c);
  // The container itself has no report pipe (only its launcher writes one): nothing for it to close.
  c.reportReadParent = c.reportWrite = -1;
  int* report = ch.report;
  int* sockets = ch.sockets;
  auto closeAll = [&] { ch.CloseAll(); };
  AddInitArgv(plan);

  int pidfd = -1;
  CloneArgs args{};
  uint64_t containerFlags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET;
  // One clone: the kernel creates the user namespace first and makes it the owner of the others, which is
  // what lets the child mount proc and sysfs in them (sysfs needs the netns owned by the mounter's userns).
  if (plan.userns) containerFlags |= CLONE_NEWUSER;
  containerFlags &= ~static_cast<uint64_t>(plan.skippedNs);
  // A namespace joined by path (options.joinNamespaces) is not created: the child setns()es into it instead.
  containerFlags &= ~plan.process.joinedFlags;
  plan.sup.joinPidFd = plan.process.joinPidFd;
  if (plan.supervised) {
    AddSupervisorArgv(plan, report[1], sockets[0], ch.sync[1], ch.error[0]);
    plan.sup.reportReadParent = report[0];
    plan.sup.containerFlags = containerFlags;
    plan.sup.cgroupFd = plan.cgroupFd;
  } else {
    args.flags = containerFlags | CLONE_PIDFD;
    if (plan.cgroupFd >= 0) {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = static_cast<uint64_t>(plan.cgroupFd);
    }
  }
  args.pidfd = reinterpret_cast<uintptr_t>(&pidfd);
  args.exit_signal = SIGCHLD;  // libuv's SIGCHLD handler only waitpid()s its own pids, so this is harmless

  // Supervised: the launcher shares our memory and returns here once it has cloned the container and exec'd
  // the shim (supervisor.cc). Unsupervised, the container itself is cloned: it waits for "go" from this thread,
  // which a CLONE_VFORK would block, and it outlives the call, so it gets its own copy of the memory.
  const char* cloneCall = "clone3";
  long pid = CloneBlocked([&] {
    if (plan.supervised) return CloneLauncher(plan.sup, c, &pidfd, &cloneCall);
    return Clone3(args, [&] { RunChild(c); });
  });
  int cloneErr = errno;
  ch.CloseChildEnds();
  if (pid < 0) {
    closeAll();
    ThrowErrno(env, cloneErr, cloneCall);
  }
  int reapFd = pidfd;
  pid_t supervisorPid = -1;
  if (plan.supervised) {
    supervisorPid = static_cast<pid_t>(pid);
    try {
      pid = ReadSupervisorReport(env, report[0]);
      CloseFd(report[0]);
      pidfd = static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
      if (pidfd < 0) ThrowErrno(env, errno, "pidfd_open");
      // pidfd_open's fd is CLOEXEC already (pidfd_open(2)).
    } catch (const Napi::Error&) {
      syscall(SYS_pidfd_send_signal, reapFd, SIGKILL, nullptr, 0);
      ExitStatus ignored{};
      ReapPidfd(reapFd, true, &ignored);
      CloseFd(reapFd);
      closeAll();
      throw;
    }
  }
  if (sendsTrees) {
    try {
      bool layered = !plan.layer.empty();
      if (plan.userns) PrepareUserns(env, static_cast<pid_t>(pid), plan.mapping, plan.rootfs, layered, sockets[0]);
      if (plan.userns) plan.mounts.Idmap(env, static_cast<pid_t>(pid));
      if (layered) SendLayerTrees(env, plan.rootfs, plan.layer, plan.userns, sockets[0]);
    } catch (const Napi::Error&) {
      // The child still waits for "go": nothing of it exists outside its namespaces yet.
      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
      if (reapFd != pidfd) {
        syscall(SYS_pidfd_send_signal, reapFd, SIGKILL, nullptr, 0);
        CloseFd(pidfd);
      }
      ExitStatus ignored{};
      ReapPidfd(reapFd, true, &ignored);
      CloseFd(reapFd);
      closeAll();
      throw;
    }
  }
  // Without a pty it only carried the trees; a shim that owns the terminal has its own copy.
  if (!c.pty || plan.supervisorOwnsTerminal) CloseFd(sockets[0]);
  // The shim holds "go" now: ours would keep the container from seeing end-of-file if its shim died.
  if (plan.supervisorStarts) {
    CloseFd(ch.sync[1]);
    CloseFd(ch.error[0]);
  }
  Spawned spawned{static_cast<pid_t>(pid), pidfd, ch.sync[1], ch.error[0], sockets[0], supervisorPid, reapFd, -1};
  auto* ctor = env.GetInstanceData<Napi::FunctionReference>();
  return ctor->New({Napi::External<Spawned>::New(env, &spawned)});
}

// execInContainer(options): Container — `ctr exec`. options: joinPidfd (the container's PID 1), joinFlags
// (CLONE_NEW* of the namespaces to join), argv, execCandidates, env, cwd, stdio, security, user?: {uid, gid}.
// The joining process is cloned now and waits for start(), so the caller can first place it in the
// container's cgroup (the program inherits it).
Napi::Value ExecInContainer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = info[0].As<Napi::Object>();
  Plan plan;
  ChildPlan& c = plan.child;
  c.joinPidfd = static_cast<int>(Uint32Option(opts, "joinPidfd"));
  c.joinFlags = static_cast<int>(Uint32Option(opts, "joinFlags"));
  c.execDetach = opts.Get("detach").ToBoolean();
  ReadCommand(env, opts, plan);
  Napi::Object stdio = opts.Get("stdio").As<Napi::Object>();
  if (StringOption(stdio, "kind") == "pty") {
    c.pty = true;
    c.rows = static_cast<unsigned short>(Uint32Option(stdio, "rows"));
    c.cols = static_cast<unsigned short>(Uint32Option(stdio, "cols"));
  } else {
    Napi::Array fds = stdio.Get("fds").As<Napi::Array>();
    for (uint32_t i = 0; i < 3; i++) c.stdioFds[i] = fds.Get(i).As<Napi::Number>().Int32Value();
  }
  // user (uid, gid, additionalGids), umask and rlimits, as for a container's first process; the default user
  // is the container's root with no supplementary groups.
  plan.process.Read(env, opts, c.process);
  c.process.setUser = true;
  AddSecurity(env, opts, plan);
  plan.Finish();

  Channels ch;
  ch.Open(env, true, c.pty);
  ch.Wire(c);
  AddInitArgv(plan);

  int pidfd = -1;
  CloneArgs args{};
  args.flags = CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uintptr_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  // No CLONE_VM here: the joining process waits for "go" from this thread and outlives the call (it relays
  // the program's exit status).
  long pid = CloneBlocked([&] { return Clone3(args, [&] { RunExecChild(c); }); });
  int cloneErr = errno;
  ch.CloseChildEnds();
  if (pid < 0) {
    ch.CloseAll();
    ThrowErrno(env, cloneErr, "clone3");
  }
  Spawned spawned{static_cast<pid_t>(pid), pidfd, ch.sync[1], ch.error[0], ch.sockets[0], -1, pidfd, ch.report[0]};
  auto* ctor = env.GetInstanceData<Napi::FunctionReference>();
  return ctor->New({Napi::External<Spawned>::New(env, &spawned)});
}

}  // namespace

void RegisterSpawn(Napi::Env env, Napi::Object exports) {
  auto* ctor = new Napi::FunctionReference(Napi::Persistent(Container::Define(env)));
  env.SetInstanceData(ctor);  // freed by node-addon-api when the env is torn down
  exports.Set("spawnContainer", Napi::Function::New(env, SpawnContainer));
  exports.Set("execInContainer", Napi::Function::New(env, ExecInContainer));
}

}  // namespace ctr
