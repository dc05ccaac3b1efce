# RUN: %venv_python %s | FileCheck %s
"""mmfree-bench --suite iree end to end on small shapes (one round): our
kernels, our f32 path, OpenBLAS, the portable ternary output in IREE and
IREE's f32 code, in one table (the timings are not checked)."""

import os
import subprocess
import sys

bench = os.path.join(os.environ["MMFREE_BUILD"], "bin", "mmfree-bench")
tools = os.path.dirname(sys.executable)
out = subprocess.run([bench, "--suite", "iree", f"--iree-tools={tools}",
                      "--shape", "1x256x256", "--shape", "4x128x256",
                      "--repetitions", "1"], check=True, capture_output=True,
                     text=True).stdout
print(out)
# CHECK: 1x256x256 ternary int8, mmfree kernels
# CHECK: 1x256x256 OpenBLAS sgemv
# CHECK: 1x256x256 ternary int8, portable in IREE
# CHECK: 1x256x256 f32 in IREE
# CHECK: 4x128x256 ternary int8, portable in IREE
missing = subprocess.run([bench, "--suite", "iree"], capture_output=True,
                         text=True)
print(missing.returncode, missing.stderr)
# CHECK: 1 mmfree-bench: --suite iree needs --iree-tools
