"""mmfree's Python side: export PyTorch modules to linalg-on-tensors
(torch-mlir), compile them with mmfree-opt ahead of time and call them, and
PyTorch references of what each rewrite computes."""
