{
  "targets": [
    {
      "target_name": "sievecap_native",
      "sources": [
        "src/addon.cc",
        "src/errors.cc",
        "src/interfaces.cc",
        "src/pcap_filter.cc",
        "src/classic_filter.cc",
        "src/bpf_syscalls.cc",
        "src/packet_socket.cc",
        "src/ring_records.cc",
        "src/packet_reader.cc",
        "src/privileges.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-missing-field-initializers", "-Wno-unused-parameter"],
      "libraries": ["-lpcap", "-lpthread"]
    }
  ]
}
