// mounts.cc — the parent's half of options.mounts (see mounts.h). A bind source is resolved here, on the
// host, exactly once: open_tree(OPEN_TREE_CLONE) makes a detached copy of the mount (with AT_RECURSIVE, of
// its submounts too) that the child later attaches by fd, so nothing the container's image contains can
// redirect the source. Its attributes (ro, nosuid, nodev, noexec, atime) are set on the detached tree with
// mount_setattr, so a read-only bind is read-only from the moment it appears — no second remount step.
// See: open_tree(2), mount_setattr(2), user_namespaces(7).
#include "mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "errors.h"

namespace ctr {
namespace {

std::string Str(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string("options.mounts[].") + key + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

unsigned Num(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("options.mounts[].") + key + " must be a number");
  return v.As<Napi::Number>().Uint32Value();
}

}  // namespace

void MountPlan::Read(Napi::Env env, Napi::Value value) {
  if (value.IsUndefined()) return;
  if (!value.IsArray()) throw Napi::TypeError::New(env, "options.mounts must be an array");
  Napi::Array list = value.As<Napi::Array>();
  auto keep = [&](std::string s) { return strings_.emplace_back(std::move(s)).c_str(); };
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Object m = list.Get(i).As<Napi::Object>();
    MountOp op{};
    op.destination = keep(Str(m, "destination"));
    op.tree = -1;
    op.propagation = Num(m, "propagation");
    op.recursive = m.Get("recursive").ToBoolean();
    op.readonlyAfter = m.Get("readonlyAfter").ToBoolean();
    unsigned attrSet = Num(m, "attrSet"), attrClear = Num(m, "attrClear");
    if (m.Get("bind").ToBoolean()) {
      std::string source = Str(m, "source");
      unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (op.recursive ? AT_RECURSIVE : 0);
      auto tree = std::make_unique<Fd>(open_tree(AT_FDCWD, source.c_str(), flags));
      if (tree->fd < 0) ThrowErrno(env, errno, "open_tree", source.c_str());
      struct stat st;
      if (fstat(tree->fd, &st) < 0) ThrowErrno(env, errno, "fstat", source.c_str());
      op.file = !S_ISDIR(st.st_mode);
      if (attrSet != 0 || attrClear != 0) {
        mount_attr attr{};
        attr.attr_set = attrSet;
        attr.attr_clr = attrClear;
        // Recursive for an rbind: a read-only rbind with a writable submount would not be read-only.
        if (mount_setattr(tree->fd, "", AT_EMPTY_PATH | (op.recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
          ThrowErrno(env, errno, "mount_setattr", source.c_str());
      }
      op.tree = tree->fd;
      trees_.push_back(std::move(tree));
      sources_.push_back(keep(source));
    } else {
      op.fstype = keep(Str(m, "fstype"));
      std::string source = Str(m, "source");
      op.source = source.empty() ? nullptr : keep(source);
      op.attrs = attrSet;
      Napi::Value paramsValue = m.Get("params");
      if (!paramsValue.IsArray()) throw Napi::TypeError::New(env, "options.mounts[].params must be an array");
      Napi::Array params = paramsValue.As<Napi::Array>();
      auto& pairs = params_.emplace_back();
      for (uint32_t p = 0; p + 1 < params.Length(); p += 2) {
        pairs.push_back(keep(params.Get(p).As<Napi::String>().Utf8Value()));
        std::string v = params.Get(p + 1).As<Napi::String>().Utf8Value();
        pairs.push_back(v.empty() ? nullptr : keep(v));
      }
      op.params = pairs.data();
      op.paramCount = static_cast<int>(pairs.size() / 2);
      sources_.push_back(nullptr);
    }
    ops.push_back(op);
  }
}

void MountPlan::Idmap(Napi::Env env, pid_t pid) const {
  if (trees_.empty()) return;
  std::string nsPath = "/proc/" + std::to_string(pid) + "/ns/user";
  Fd userns{open(nsPath.c_str(), O_RDONLY | O_CLOEXEC)};
  if (userns.fd < 0) ThrowErrno(env, errno, "open", nsPath.c_str());
  for (size_t i = 0; i < ops.size(); i++) {
    if (ops[i].tree < 0) continue;
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<uint64_t>(userns.fd);
    if (mount_setattr(ops[i].tree, "", AT_EMPTY_PATH | (ops[i].recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) == 0)
      continue;
    int err = errno;
    // EINVAL: a filesystem without idmapped-mount support (FS_ALLOW_IDMAP) in the tree; without the idmap the
    // container's ids would all read as the overflow id, so the bind is refused rather than made useless.
    Napi::Error error = ErrnoError(env, err, "mount_setattr", sources_[i],
                                   "a bind mount in a user namespace must be idmapped, and the kernel refused: ");
    throw error;
  }
}

}  // namespace ctr
