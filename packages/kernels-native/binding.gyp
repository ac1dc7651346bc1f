{
  "targets": [
    {
      "target_name": "rxrnn_kernels",
      "sources": [
        "src/addon.c",
        "src/threads.c",
        "src/activations.c",
        "src/gemm.c",
        "src/dense.c",
        "src/lstm.c",
        "src/lstm-variant.c",
        "src/gru.c",
        "src/rnn.c",
        "src/attention.c"
      ],
      "cflags": ["-O3", "-std=gnu11", "-fno-math-errno", "-fno-trapping-math", "-fvisibility=hidden", "-Werror=implicit-function-declaration", "-Werror=int-conversion", "-Werror=incompatible-pointer-types"],
      "cflags!": ["-O2"],
      "libraries": ["-lpthread"]
    }
  ]
}
