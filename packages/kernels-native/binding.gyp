{
  "targets": [
    {
      "target_name": "rxrnn_kernels",
      "sources": ["src/kernels.c"],
      "cflags": ["-O3", "-std=gnu11", "-fno-math-errno", "-fno-trapping-math"],
      "cflags!": ["-O2"],
      "libraries": ["-lpthread"]
    }
  ]
}
