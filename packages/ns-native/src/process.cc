// process.cc — the parent's half of process.h: options.rlimits into the child's table.
#include "process.h"

#include <sys/resource.h>

namespace ctr {

void ProcessHolder::Read(Napi::Env env, Napi::Object opts, ProcessSetup& out) {
  Napi::Value value = opts.Get("rlimits");
  if (value.IsUndefined()) return;
  if (!value.IsArray()) throw Napi::TypeError::New(env, "options.rlimits must be an array");
  Napi::Array list = value.As<Napi::Array>();
  auto limit = [](Napi::Value v) {
    double d = v.As<Napi::Number>().DoubleValue();
    return d < 0 ? RLIM64_INFINITY : static_cast<uint64_t>(d);
  };
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Object r = list.Get(i).As<Napi::Object>();
    int resource = r.Get("resource").As<Napi::Number>().Int32Value();
    if (resource < 0 || resource >= RLIM_NLIMITS) throw Napi::RangeError::New(env, "options.rlimits[].resource is out of range");
    rlimits.push_back({resource, limit(r.Get("soft")), limit(r.Get("hard"))});
  }
  out.rlimits = rlimits.data();
  out.rlimitCount = static_cast<int>(rlimits.size());
}

}  // namespace ctr
