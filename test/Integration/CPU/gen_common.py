"""Pieces shared by the execution-test generators of this directory."""


def dense(array):
    """An MLIR dense<...> literal of a 2-D float array (exact round trip)."""
    rows = ", ".join("[" + ", ".join(f"{v:.9e}" for v in r) + "]"
                     for r in array)
    return f"dense<[{rows}]>"


def emit_activations_and_call(emit, m, k, n, init, seed, column_major=False,
                              weights=None):
    """In @main: random activations %x (unranked view %xu), the init the
    check must add (%cu: zeros, or the same random values the kernel gets,
    in a copy since the kernel may update its init in place), the call of
    @kernel, and its result as %yu. With `column_major` the kernel gets the
    activations' transpose (K x M); `weights` (value, type) is passed last
    (weights the kernel takes as an argument)."""
    more, more_type = (f", {weights[0]}", f", {weights[1]}") if weights \
        else ("", "")
    xt, yt = f"tensor<{m}x{k}xf32>", f"tensor<{m}x{n}xf32>"
    xm, ym = f"memref<{m}x{k}xf32>", f"memref<{m}x{n}xf32>"
    fill = "call @mmfreeFillRandomF32({}, {}) : (memref<*xf32>, i64) -> ()"
    emit(f"  %seed = arith.constant {seed} : i64")
    emit(f"  %seed1 = arith.constant {seed + 1} : i64")
    emit(f"  %xm = memref.alloc() : {xm}")
    emit(f"  %xu = memref.cast %xm : {xm} to memref<*xf32>")
    emit("  " + fill.format("%xu", "%seed"))
    if column_major:
        emit(f"  %x0 = bufferization.to_tensor %xm restrict : {xm} to {xt}")
        emit(f"  %xe = tensor.empty() : tensor<{k}x{m}xf32>")
        emit(f"  %x = linalg.transpose ins(%x0 : {xt}) outs(%xe : tensor<{k}x{m}xf32>) permutation = [1, 0]")
        xt = f"tensor<{k}x{m}xf32>"
    else:
        emit(f"  %x = bufferization.to_tensor %xm restrict : {xm} to {xt}")
    emit(f"  %cm = memref.alloc() : {ym}")
    emit(f"  %cu = memref.cast %cm : {ym} to memref<*xf32>")
    if init == "arg":
        emit("  " + fill.format("%cu", "%seed1"))
        emit(f"  %im = memref.alloc() : {ym}")
        emit(f"  %iu = memref.cast %im : {ym} to memref<*xf32>")
        emit("  " + fill.format("%iu", "%seed1"))
        emit(f"  %i = bufferization.to_tensor %im restrict writable : {ym} to {yt}")
        emit(f"  %y = call @kernel(%x, %i{more}) : ({xt}, {yt}{more_type}) "
             f"-> {yt}")
    else:
        emit("  %z = arith.constant 0.0 : f32")
        emit(f"  linalg.fill ins(%z : f32) outs(%cm : {ym})")
        emit(f"  %y = call @kernel(%x{more}) : ({xt}{more_type}) -> {yt}")
    emit(f"  %ym = bufferization.to_buffer %y read_only : {yt} to {ym}")
    emit(f"  %yu = memref.cast %ym : {ym} to memref<*xf32>")
