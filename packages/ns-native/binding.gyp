{
  "targets": [
    {
      "target_name": "ctr_native",
      "sources": [
        "src/addon.cc", "src/errors.cc", "src/netlink.cc", "src/spawn.cc", "src/child.cc",
        "src/exit_watch.cc", "src/pty.cc", "src/init_image.cc", "src/fd_passing.cc", "src/hardening.cc",
        "src/privileges.cc", "src/userns.cc", "src/bpf.cc", "src/layer.cc", "src/supervisor.cc", "src/pidfd.cc",
        "src/mounts.cc", "src/mounts_child.cc", "src/process.cc", "src/process_child.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"]
    }
  ]
}
