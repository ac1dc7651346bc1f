/*
 * rxrnn native kernels: the Node-API glue. `run(memory, fn, args, threads)` checks its arguments and
 * dispatches to entry point `fn` (entry-points.h) on the kernel runtime's memory. Plain C for every
 * CPU: it reports, instead of running, when this CPU has no AVX2 + FMA.
 */
#include <node_api.h>
#include "kernels.h"

static const char *unsupported_reason(void) {
#ifdef RX_X86
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return "this CPU has no AVX2+FMA";
  return NULL;
#else
  return "built for a CPU other than x86-64 (the native kernels need AVX2+FMA)";
#endif
}

static napi_value throw_error(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

/* run(memory: ArrayBuffer, fn: number, args: number (byte address of uint32 arguments), threads: number) */
static napi_value Run(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4)
    return throw_error(env, "E_RXRNN_ARGUMENT", "rxrnn native run(memory, fn, args, threads): expected 4 arguments");
  void *data = NULL;
  size_t len = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok)
    return throw_error(env, "E_RXRNN_ARGUMENT", "rxrnn native run(): argument 'memory' must be an ArrayBuffer (the kernel runtime's WebAssembly.Memory buffer)");
  int32_t fn = -1, args = 0, threads = 1;
  napi_get_value_int32(env, argv[1], &fn);
  napi_get_value_int32(env, argv[2], &args);
  napi_get_value_int32(env, argv[3], &threads);
#ifdef RX_X86
  int nargs = rx_argc(fn);
  if (nargs < 0) return throw_error(env, "E_RXRNN_ARGUMENT", "rxrnn native run(): argument 'fn' is not a kernel id");
  if (args < 0 || (size_t)args + 4u * (size_t)nargs > len)
    return throw_error(env, "E_RXRNN_ARGUMENT", "rxrnn native run(): argument 'args' lies outside the memory");
  tl_threads = threads < 1 ? 1 : (threads > MAX_THREADS ? MAX_THREADS : threads);
  rx_dispatch((char *)data, fn, (const uint32_t *)((char *)data + args));
  return NULL;
#else
  return throw_error(env, "E_RXRNN_UNSUPPORTED", unsupported_reason());
#endif
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value v;
  const char *why = unsupported_reason();
  if (why) {
    napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, exports, "unsupported", v);
    return exports;
  }
  napi_create_function(env, "run", NAPI_AUTO_LENGTH, Run, NULL, &v);
  napi_set_named_property(env, exports, "run", v);
  napi_create_string_utf8(env, "avx2+fma", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, exports, "isa", v);
  napi_create_int32(env, MAX_THREADS, &v);
  napi_set_named_property(env, exports, "maxThreads", v);
  return exports;
}
