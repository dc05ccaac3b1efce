# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "MMFREE"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mmfree_obj_root, "test")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(
    ("%mlir_c_runner_utils",
     os.path.join(config.mlir_lib_dir, "libmlir_c_runner_utils.so")))
config.substitutions.append(
    ("%mlir_runner_utils",
     os.path.join(config.mlir_lib_dir, "libmlir_runner_utils.so")))
config.substitutions.append(
    ("%mmfree_runtime",
     os.path.join(config.mmfree_lib_dir, "libmmfree_runtime.so")))
def runner(*libs):
    """mlir-runner on @main with the C runner utilities, the runtime, the
    OpenMP runtime (kernels with threads) and `libs`."""
    shared = [os.path.join(config.mlir_lib_dir, "libmlir_c_runner_utils.so"),
              *libs,
              os.path.join(config.mmfree_lib_dir, "libmmfree_runtime.so"),
              os.path.join(config.mlir_lib_dir, "libomp.so")]
    return ("mlir-runner -e main -entry-point-result=void -shared-libs=" +
            ",".join(shared))


if lit_config.params.get("tsan"):
    # ThreadSanitizer runs of the same modules, compiled ahead of time
    # (scripts/tsan-run.sh; lit --param tsan=1).
    def runner(*libs):
        shared = [os.path.join(config.mlir_lib_dir, "libmlir_c_runner_utils.so"),
                  *libs,
                  os.path.join(config.mmfree_lib_dir, "libmmfree_runtime.so"),
                  os.path.join(config.mlir_lib_dir, "libomp.so")]
        return "bash " + os.path.join(os.path.dirname(config.test_source_root),
                                      "scripts", "tsan-run.sh") + " " + " ".join(shared)

config.substitutions.append(("%run_cpu", runner()))
# With MLIR's printMemref* functions too.
config.substitutions.append(
    ("%run_print",
     runner(os.path.join(config.mlir_lib_dir, "libmlir_runner_utils.so"))))
config.substitutions.append(
    ("%mmfree_plugin", os.path.join(config.mmfree_lib_dir, "MMFreePlugin.so")))
# Debian's python with numpy, as DESIGN.md asks for test scripts.
config.substitutions.append(("%python", "/usr/bin/python3"))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.mmfree_tools_dir, config.llvm_tools_dir]
tools = ["mmfree-opt", "mmfree-bench", "mmfree-demo", "mmfree-gpu-launch", "mlir-runner", "mlir-opt", "mlir-translate"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# GPU tests: PTX objects are pulled out of gpu.binary by gpu_objects.py;
# those that assemble with ptxas need it (else they are unsupported).
config.substitutions.append(
    ("%gpu_objects", "/usr/bin/python3 " + os.path.join(
        config.test_source_root, "Integration", "GPU", "gpu_objects.py")))
import shutil
ptxas = shutil.which(
    "ptxas", path=os.environ.get("PATH", "") + os.pathsep + "/usr/local/cuda/bin")
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# The CUDA launcher exists where a toolkit was found at configure time.
if os.path.exists(os.path.join(config.mmfree_tools_dir, "mmfree-gpu-launch")):
    config.available_features.add("gpu-launcher")
    config.substitutions.append(
        ("%cuda_stub_dir",
         os.path.join(config.mmfree_lib_dir, "cuda-stub")))

# Tests that force one x86 kernel need the host to have its instructions.
try:
    with open("/proc/cpuinfo") as f:
        flags = next((l.split(":", 1)[1].split() for l in f
                      if l.startswith("flags")), [])
except OSError:
    flags = []
for flag, feature in (("avx2", "avx2"), ("avx512bw", "avx512bw"),
                      ("avx512_vnni", "avx512vnni"), ("avx_vnni", "avxvnni"),
                      ("amx_int8", "amx"), ("gfni", "gfni")):
    if flag in flags:
        config.available_features.add(feature)
