// netlink.h — NETLINK_ROUTE socket primitives exported to JS; message encoding lives in @ctr/netns.
#pragma once

#include <napi.h>

namespace ctr {

Napi::Value NetlinkOpen(const Napi::CallbackInfo& info);
Napi::Value NetlinkSend(const Napi::CallbackInfo& info);
Napi::Value NetlinkRecv(const Napi::CallbackInfo& info);

}  // namespace ctr
