// process.cc — the parent's half of process.h: the options into the child's tables, the namespace files
// opened here, by the runtime, each checked to be the type it claims (NS_GET_NSTYPE), so a path that names
// another namespace type, or no namespace at all, fails before the clone.
#include "process.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include <cerrno>

#include "errors.h"

namespace ctr {

void ProcessHolder::Read(Napi::Env env, Napi::Object opts, ProcessSetup& out) {
  auto number = [](Napi::Value v) { return v.As<Napi::Number>().DoubleValue(); };
  auto keep = [&](std::string s) { return strings_.emplace_back(std::move(s)).c_str(); };

  Napi::Value limits = opts.Get("rlimits");
  if (limits.IsArray()) {
    Napi::Array list = limits.As<Napi::Array>();
    auto limit = [&](Napi::Value v) { return number(v) < 0 ? RLIM64_INFINITY : static_cast<uint64_t>(number(v)); };
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Object r = list.Get(i).As<Napi::Object>();
      int resource = r.Get("resource").As<Napi::Number>().Int32Value();
      if (resource < 0 || resource >= RLIM_NLIMITS) throw Napi::RangeError::New(env, "options.rlimits[].resource is out of range");
      rlimits_.push_back({resource, limit(r.Get("soft")), limit(r.Get("hard"))});
    }
    out.rlimits = rlimits_.data();
    out.rlimitCount = static_cast<int>(rlimits_.size());
  }

  Napi::Value joins = opts.Get("joinNamespaces");
  if (joins.IsArray()) {
    Napi::Array list = joins.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Object j = list.Get(i).As<Napi::Object>();
      int nstype = j.Get("nstype").As<Napi::Number>().Int32Value();
      std::string path = j.Get("path").As<Napi::String>().Utf8Value();
      auto fd = std::make_unique<Fd>(open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (fd->fd < 0) ThrowErrno(env, errno, "open", path.c_str());
      int actual = ioctl(fd->fd, NS_GET_NSTYPE);
      // ENOTTY: not a namespace file at all (a regular file, a directory …).
      if (actual < 0) ThrowErrno(env, errno == ENOTTY ? EINVAL : errno, "ioctl(NS_GET_NSTYPE)", path.c_str());
      if (actual != nstype) ThrowErrno(env, EINVAL, "ioctl(NS_GET_NSTYPE)", path.c_str());
      joinedFlags |= static_cast<uint64_t>(nstype);
      if (nstype == CLONE_NEWPID)
        joinPidFd = fd->fd;
      else
        joins_.push_back({fd->fd, nstype, keep(path)});
      fds_.push_back(std::move(fd));
    }
    out.joins = joins_.data();
    out.joinCount = static_cast<int>(joins_.size());
  }

  Napi::Value sysctl = opts.Get("sysctl");
  if (sysctl.IsArray()) {
    Napi::Array list = sysctl.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Object s = list.Get(i).As<Napi::Object>();
      std::string value = s.Get("value").As<Napi::String>().Utf8Value();
      const char* kept = keep(value);
      sysctls_.push_back({keep(s.Get("path").As<Napi::String>().Utf8Value()), kept, value.size()});
    }
    out.sysctls = sysctls_.data();
    out.sysctlCount = static_cast<int>(sysctls_.size());
  }

  Napi::Value user = opts.Get("user");
  if (user.IsObject()) {
    Napi::Object u = user.As<Napi::Object>();
    out.setUser = true;
    out.uid = static_cast<uid_t>(number(u.Get("uid")));
    out.gid = static_cast<gid_t>(number(u.Get("gid")));
    Napi::Array groups = u.Get("additionalGids").As<Napi::Array>();
    for (uint32_t i = 0; i < groups.Length(); i++) groups_.push_back(static_cast<gid_t>(number(groups.Get(i))));
    out.groups = groups_.data();
    out.groupCount = static_cast<int>(groups_.size());
  }

  Napi::Value mask = opts.Get("umask");
  if (mask.IsNumber()) {
    out.setUmask = true;
    out.umask = static_cast<mode_t>(number(mask)) & 0777;
  }
}

}  // namespace ctr
