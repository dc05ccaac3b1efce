//===- GpuTile.cpp - mmfree kernels as block/thread scf.forall nests ------===//
//
// Rewrites the mmfree contractions into GPU-shaped kernels on buffers: an
// outer scf.forall over thread blocks (#gpu.block) holding sibling
// scf.forall ops over the block's 128 threads (#gpu.thread<linear_dim_*>),
// with staging buffers that are shared memory on the GPU. Sibling thread
// loops are separated by barriers once mapped; executed on the CPU in
// program order they mean the same. Every kernel is:
//  - ternary_matmul (i8 activations): a tile of TM rows x TN channels per
//    block; the rows' activations staged in shared memory; lane s of a
//    channel's KS threads decodes 64-weight blocks s, s + KS, ... (one
//    16-byte load each, consecutive lanes read consecutive blocks) into
//    selects of adds and subtracts in 32-bit registers; the KS partial sums
//    are reduced through shared memory.
//  - lut_encode: TR rows and the trees' split dims and thresholds staged in
//    shared memory; one thread per (row, codebook) walks the tree.
//  - lut_matmul: a 32-output slice of every table and TR rows of codes
//    staged in shared memory; one thread per output sums or averages its C
//    table entries (straight-line code, the average tree unrolled).
//  - lmul_matmul: 4 x 32 outputs per block, one thread each, accumulating
//    in increasing k (the reference order, so results are bit-exact) over
//    32-wide K chunks of both operands staged in shared memory; products
//    are L-Mul in integer ops, sums f32 adds.
// No kernel multiplies in its inner loops.
//
//===----------------------------------------------------------------------===//

#include "mmfree/Codegen/Passes.h"
#include "mmfree/Codegen/Utils/BufferBuilders.h"
#include "mmfree/Codegen/Utils/LMulBuilders.h"
#include "mmfree/Codegen/Utils/LutBuilders.h"
#include "mmfree/Codegen/Utils/TernaryBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/DebugLog.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

namespace mmfree {
#define GEN_PASS_DEF_GPUTILE
#include "mmfree/Codegen/Passes.h.inc"
} // namespace mmfree

using namespace mlir;
using namespace mmfree;

#define DEBUG_TYPE "mmfree-gpu-tile"

namespace {

constexpr int64_t kThreads = 128;
// Static shared memory per block stays under the 48 KiB every chip has.
constexpr int64_t kSharedBytes = 32 * 1024;

using Body = llvm::function_ref<void(OpBuilder &, Location, ValueRange)>;

} // namespace

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

namespace {

/// Builds the kernels; `hostExecutable` keeps staging buffers in the default
/// memory space so that the CPU pipeline can run the same loops.
class KernelBuilder {
public:
  KernelBuilder(PatternRewriter &rewriter, Operation *op, bool hostExecutable)
      : rw(rewriter), loc(op->getLoc()),
        module(op->getParentOfType<ModuleOp>()),
        hostExecutable(hostExecutable) {}

  Value idx(OpBuilder &b, int64_t v) { return indexConstant(b, loc, v); }

  /// A buffer view of a tensor operand.
  Value buffer(Value tensor) { return readOnlyBuffer(rw, loc, tensor); }

  /// `buf` with dimensions grouped as `groups`, so that loops over a
  /// flattened index address it without multiplies.
  Value collapse(Value buf, ArrayRef<ReassociationIndices> groups) {
    return memref::CollapseShapeOp::create(rw, loc, buf, groups);
  }

  Value allocResult(RankedTensorType type) {
    return resultBuffer(rw, loc, type);
  }

  Value asTensor(Value buf, Type type) {
    return resultTensor(rw, loc, type, buf);
  }

  /// A per-block staging buffer: a private global, in workgroup memory
  /// (shared memory) on the GPU.
  Value shared(OpBuilder &b, Type elt, ArrayRef<int64_t> shape) {
    Attribute space;
    if (!hostExecutable)
      space = gpu::AddressSpaceAttr::get(b.getContext(),
                                         gpu::AddressSpace::Workgroup);
    auto type = MemRefType::get(shape, elt, MemRefLayoutAttrInterface(), space);
    // Built detached, then inserted under a unique name.
    OpBuilder detached(b.getContext());
    auto global = memref::GlobalOp::create(
        detached, loc, b.getStringAttr("__mmfree_shared"),
        b.getStringAttr("private"), TypeAttr::get(type), Attribute(),
        UnitAttr(), b.getI64IntegerAttr(16));
    SymbolTable(module).insert(global, module.getBody()->begin());
    return memref::GetGlobalOp::create(b, loc, type, global.getSymName());
  }

  /// The outer loop over thread blocks; `grid` has one or two dimensions.
  void blocks(ArrayRef<int64_t> grid, Body body) {
    SmallVector<Attribute> mapping;
    SmallVector<OpFoldResult> ubs;
    for (auto [i, size] : llvm::enumerate(grid)) {
      mapping.push_back(gpu::GPUBlockMappingAttr::get(
          rw.getContext(), static_cast<gpu::MappingId>(i)));
      ubs.push_back(rw.getIndexAttr(size));
    }
    auto forall = scf::ForallOp::create(
        rw, loc, ubs, ValueRange(), rw.getArrayAttr(mapping),
        [&](OpBuilder &b, Location l, ValueRange ivs) {
          body(b, l, ivs);
          scf::InParallelOp::create(b, l);
        });
    forall->setAttr("mmfree.gpu_block_dims",
                    rw.getDenseI64ArrayAttr({kThreads, 1, 1}));
  }

  /// One phase of the block's threads; sizes multiply to at most kThreads
  /// and the first dimension varies fastest (consecutive lanes).
  void threads(OpBuilder &b, ArrayRef<int64_t> sizes, Body body) {
    SmallVector<Attribute> mapping;
    SmallVector<OpFoldResult> ubs;
    for (auto [i, size] : llvm::enumerate(sizes)) {
      mapping.push_back(gpu::GPUThreadMappingAttr::get(
          b.getContext(),
          static_cast<gpu::MappingId>(
              static_cast<int64_t>(gpu::MappingId::LinearDim0) + i)));
      ubs.push_back(b.getIndexAttr(size));
    }
    // scf.forall lists the slowest dimension first.
    std::reverse(mapping.begin(), mapping.end());
    std::reverse(ubs.begin(), ubs.end());
    scf::ForallOp::create(b, loc, ubs, ValueRange(), b.getArrayAttr(mapping),
                          [&](OpBuilder &bb, Location l, ValueRange ivs) {
                            SmallVector<Value> ids(llvm::reverse(ivs));
                            body(bb, l, ids);
                            scf::InParallelOp::create(bb, l);
                          });
  }

  /// for (iv = lb; iv < ub; iv += step) body(iv).
  void loop(OpBuilder &b, Value lb, Value ub, int64_t step,
            llvm::function_ref<void(OpBuilder &, Value)> body) {
    scf::ForOp::create(b, loc, lb, ub, idx(b, step), ValueRange(),
                       [&](OpBuilder &bb, Location l, Value iv, ValueRange) {
                         body(bb, iv);
                         scf::YieldOp::create(bb, l);
                       });
  }

  /// `load(mem[indices])` when `inBounds`, else zero.
  Value loadOrZero(OpBuilder &b, Value inBounds, Value mem,
                   ValueRange indices) {
    Type elt = cast<MemRefType>(mem.getType()).getElementType();
    auto ifOp = scf::IfOp::create(
        b, loc, inBounds,
        [&](OpBuilder &bb, Location l) {
          scf::YieldOp::create(
              bb, l, memref::LoadOp::create(bb, l, mem, indices).getResult());
        },
        [&](OpBuilder &bb, Location l) {
          scf::YieldOp::create(bb, l, zeroOf(bb, l, elt));
        });
    return ifOp.getResult(0);
  }

  void ifThen(OpBuilder &b, Value cond,
              llvm::function_ref<void(OpBuilder &)> body) {
    scf::IfOp::create(b, loc, cond, [&](OpBuilder &bb, Location l) {
      body(bb);
      scf::YieldOp::create(bb, l);
    });
  }

  Value lt(OpBuilder &b, Value x, int64_t bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x,
                                 idx(b, bound));
  }
  Value both(OpBuilder &b, Value x, Value y) {
    return arith::AndIOp::create(b, loc, x, y);
  }
  Value add(OpBuilder &b, Value x, Value y) {
    return arith::AddIOp::create(b, loc, x, y);
  }
  Value add(OpBuilder &b, Value x, int64_t y) { return add(b, x, idx(b, y)); }
  Value mul(OpBuilder &b, Value x, int64_t y) {
    return arith::MulIOp::create(b, loc, x, idx(b, y));
  }

  PatternRewriter &rw;
  Location loc;
  ModuleOp module;
  bool hostExecutable;
};

//===----------------------------------------------------------------------===//
// Tile choices (also used to reject shapes the kernels cannot tile)
//===----------------------------------------------------------------------===//

struct TernaryTiles {
  int64_t lanes, channels, rows;
};
} // namespace

static FailureOr<TernaryTiles> ternaryTiles(TernaryMatmulOp op,
                                            std::string &why) {
  auto in = cast<RankedTensorType>(op.getInput().getType());
  int64_t blocks =
      cast<RankedTensorType>(op.getWeights().getType()).getDimSize(1);
  int64_t m = in.getDimSize(0);
  if (!in.getElementType().isInteger(8)) {
    why = "float activations are not mapped to the GPU (use "
          "activations=int8): the kernel accumulates in integers";
    return failure();
  }
  int64_t rowBytes = blocks * 64;
  if (rowBytes > kSharedBytes) {
    why = llvm::formatv("K = {0} needs {1} bytes of shared memory per "
                        "activation row, more than the {2} the kernel uses",
                        op.getK(), rowBytes, kSharedBytes);
    return failure();
  }
  TernaryTiles t;
  t.lanes = std::min<int64_t>(32, llvm::PowerOf2Ceil(blocks));
  t.channels = kThreads / t.lanes;
  t.rows = std::min<int64_t>({m, 8, kSharedBytes / rowBytes});
  return t;
}

namespace {

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

} // namespace

static Value buildTernary(KernelBuilder &kb, TernaryMatmulOp op) {
  std::string why;
  TernaryTiles tiles = *ternaryTiles(op, why);
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t m = inType.getDimSize(0), k = op.getK();
  int64_t n = resultType.getDimSize(1);
  int64_t blocks =
      cast<RankedTensorType>(op.getWeights().getType()).getDimSize(1);
  int64_t kPadded = blocks * 64;
  Type resultElt = resultType.getElementType();
  Type accElt = resultElt.getIntOrFloatBitWidth() > 32
                    ? resultElt
                    : IntegerType::get(op.getContext(), 32);
  Type i8 = IntegerType::get(op.getContext(), 8);
  const int64_t lanes = tiles.lanes, channels = tiles.channels,
                rows = tiles.rows;

  Value x = kb.buffer(op.getInput()), w = kb.buffer(op.getWeights());
  Value out = kb.allocResult(resultType);
  kb.blocks({ceilDiv(n, channels), ceilDiv(m, rows)}, [&](OpBuilder &b,
                                                          Location loc,
                                                          ValueRange bid) {
    Value n0 = kb.mul(b, bid[0], channels), m0 = kb.mul(b, bid[1], rows);
    Value xs = kb.shared(b, i8, {rows, kPadded});
    Value partial = kb.shared(b, accElt, {channels, lanes, rows});

    // Stage the rows' activations, zero past K and past M.
    kb.threads(b, {kThreads}, [&](OpBuilder &b, Location, ValueRange tid) {
      for (int64_t r = 0; r < rows; ++r) {
        Value row = kb.add(b, m0, r);
        Value rowOk = kb.lt(b, row, m);
        kb.loop(b, tid[0], kb.idx(b, kPadded), kThreads,
                [&](OpBuilder &b, Value col) {
                  Value v = kb.loadOrZero(
                      b, kb.both(b, rowOk, kb.lt(b, col, k)), x, {row, col});
                  memref::StoreOp::create(b, kb.loc, v, xs,
                                          ValueRange{kb.idx(b, r), col});
                });
      }
    });

    // Lane s of channel c: weight blocks s, s + lanes, ...
    kb.threads(
        b, {lanes, channels}, [&](OpBuilder &b, Location loc, ValueRange ids) {
          Value lane = ids[0], ch = ids[1];
          Value chan = kb.add(b, n0, ch);
          Value end = arith::SelectOp::create(b, loc, kb.lt(b, chan, n),
                                              kb.idx(b, blocks), kb.idx(b, 0));
          SmallVector<Value> zeros(rows, zeroOf(b, loc, accElt));
          auto blockLoop = scf::ForOp::create(
              b, loc, lane, end, kb.idx(b, lanes), zeros,
              [&](OpBuilder &b, Location loc, Value t, ValueRange accIn) {
                SmallVector<Value> acc(accIn);
                llvm::MaybeAlign align;
                if (!kb.hostExecutable)
                  align = llvm::Align(16);
                Value packed =
                    vector::LoadOp::create(b, loc, VectorType::get({16}, i8), w,
                                           ValueRange{chan, t, kb.idx(b, 0)},
                                           /*nontemporal=*/false, align);
                // The four 2-bit slices in a loop, the 16 bytes unrolled:
                // 64 weights x rows unrolled would not fit in registers.
                Value base = kb.mul(b, t, 64);
                auto slices = scf::ForOp::create(
                    b, loc, kb.idx(b, 0), kb.idx(b, 4), kb.idx(b, 1), acc,
                    [&](OpBuilder &b, Location loc, Value j, ValueRange in) {
                      SmallVector<Value> acc(in);
                      Value shift = arith::IndexCastOp::create(b, loc, i8,
                                                               kb.add(b, j, j));
                      Value first = kb.add(b, base, kb.mul(b, j, 16));
                      for (int64_t byte = 0; byte < 16; ++byte) {
                        Value code =
                            vector::ExtractOp::create(b, loc, packed, byte);
                        Value col = kb.add(b, first, byte);
                        for (int64_t r = 0; r < rows; ++r) {
                          Value xv = memref::LoadOp::create(
                              b, loc, xs, ValueRange{kb.idx(b, r), col});
                          xv = arith::ExtSIOp::create(b, loc, accElt, xv);
                          acc[r] = accumulateTernary(b, loc, acc[r], xv, code,
                                                     shift);
                        }
                      }
                      scf::YieldOp::create(b, loc, acc);
                    });
                scf::YieldOp::create(b, loc, slices.getResults());
              });
          for (int64_t r = 0; r < rows; ++r)
            memref::StoreOp::create(b, loc, blockLoop.getResult(r), partial,
                                    ValueRange{ch, lane, kb.idx(b, r)});
        });

    // Reduce the lanes' partial sums; consecutive threads store
    // consecutive channels.
    kb.threads(b, {channels}, [&](OpBuilder &b, Location loc, ValueRange ids) {
      Value ch = ids[0];
      Value chan = kb.add(b, n0, ch);
      for (int64_t r = 0; r < rows; ++r) {
        Value row = kb.add(b, m0, r);
        kb.ifThen(b, kb.both(b, kb.lt(b, chan, n), kb.lt(b, row, m)),
                  [&](OpBuilder &b) {
                    Value sum = zeroOf(b, loc, accElt);
                    for (int64_t s = 0; s < lanes; ++s)
                      sum = arith::AddIOp::create(
                          b, loc, sum,
                          memref::LoadOp::create(
                              b, loc, partial,
                              ValueRange{ch, kb.idx(b, s), kb.idx(b, r)}));
                    if (resultElt != accElt)
                      sum = arith::TruncIOp::create(b, loc, resultElt, sum);
                    memref::StoreOp::create(b, loc, sum, out,
                                            ValueRange{row, chan});
                  });
      }
    });
  });
  return kb.asTensor(out, resultType);
}

static Value buildLutEncode(KernelBuilder &kb, LutEncodeOp op,
                            int64_t tileRows) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  bool transposed = op.getTransposeInput();
  int64_t rows = inType.getDimSize(transposed ? 1 : 0),
          dim = inType.getDimSize(transposed ? 0 : 1);
  int64_t books = resultType.getDimSize(1);
  MLIRContext *ctx = op.getContext();
  Type i32 = IntegerType::get(ctx, 32), f32 = Float32Type::get(ctx);

  Value x = kb.buffer(op.getInput());
  Value dims = kb.collapse(kb.buffer(op.getDims()), {{0, 1}});
  Value thr = kb.collapse(kb.buffer(op.getThresholds()), {{0, 1}});
  Value out = kb.allocResult(resultType);
  kb.blocks({ceilDiv(rows, tileRows)}, [&](OpBuilder &b, Location loc,
                                           ValueRange bid) {
    Value r0 = kb.mul(b, bid[0], tileRows);
    Value xs = kb.shared(b, f32, {tileRows, dim});
    Value ds = kb.shared(b, i32, {books * 4});
    Value ts = kb.shared(b, f32, {books * 15});

    kb.threads(b, {kThreads}, [&](OpBuilder &b, Location loc, ValueRange tid) {
      for (int64_t r = 0; r < tileRows; ++r) {
        Value row = kb.add(b, r0, r);
        Value ok = kb.lt(b, row, rows);
        kb.loop(b, tid[0], kb.idx(b, dim), kThreads,
                [&](OpBuilder &b, Value d) {
                  Value v = transposed ? kb.loadOrZero(b, ok, x, {d, row})
                                       : kb.loadOrZero(b, ok, x, {row, d});
                  memref::StoreOp::create(b, loc, v, xs,
                                          ValueRange{kb.idx(b, r), d});
                });
      }
      auto copy = [&](Value from, Value to, int64_t size) {
        kb.loop(b, tid[0], kb.idx(b, size), kThreads,
                [&](OpBuilder &b, Value i) {
                  memref::StoreOp::create(
                      b, loc, memref::LoadOp::create(b, loc, from, i), to, i);
                });
      };
      copy(dims, ds, books * 4);
      copy(thr, ts, books * 15);
    });

    kb.threads(
        b, {books, tileRows}, [&](OpBuilder &b, Location loc, ValueRange ids) {
          Value c = ids[0], r = ids[1];
          Value row = kb.add(b, r0, r);
          kb.ifThen(b, kb.lt(b, row, rows), [&](OpBuilder &b) {
            Value firstDim = kb.mul(b, c, 4), firstNode = kb.mul(b, c, 15);
            Value code = zeroOf(b, loc, i32);
            for (int64_t level = 0; level < 4; ++level) {
              Value node = kb.add(b,
                                  kb.add(b, firstNode,
                                         arith::IndexCastOp::create(
                                             b, loc, b.getIndexType(), code)),
                                  (1 << level) - 1);
              Value d = arith::IndexCastOp::create(
                  b, loc, b.getIndexType(),
                  memref::LoadOp::create(b, loc, ds,
                                         kb.add(b, firstDim, level)));
              Value v = memref::LoadOp::create(b, loc, xs, ValueRange{r, d});
              Value t = memref::LoadOp::create(b, loc, ts, node);
              Value bit = arith::ExtUIOp::create(
                  b, loc, i32,
                  arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, v,
                                        t));
              code = arith::OrIOp::create(
                  b, loc,
                  arith::ShLIOp::create(
                      b, loc, code,
                      arith::ConstantIntOp::create(b, loc, i32, 1)),
                  bit);
            }
            memref::StoreOp::create(
                b, loc,
                arith::TruncIOp::create(b, loc, resultType.getElementType(),
                                        code),
                out, ValueRange{row, c});
          });
        });
  });
  return kb.asTensor(out, resultType);
}

static Value buildLutMatmul(KernelBuilder &kb, LutMatmulOp op) {
  auto codesType = cast<RankedTensorType>(op.getCodes().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t rows = codesType.getDimSize(0), books = codesType.getDimSize(1);
  int64_t outs = resultType.getDimSize(1);
  bool average = op.getAccumulation() == LutAccumulation::Average;
  MLIRContext *ctx = op.getContext();
  Type i8 = IntegerType::get(ctx, 8), i16 = IntegerType::get(ctx, 16);
  const int64_t tileOuts = std::min<int64_t>(32, llvm::PowerOf2Ceil(outs));
  const int64_t tileRows = kThreads / tileOuts;
  const int64_t stride = llvm::PowerOf2Ceil(books);

  Value codes = kb.buffer(op.getCodes());
  Value tables = kb.collapse(kb.buffer(op.getTables()), {{0, 1}, {2}});
  Value out = kb.allocResult(resultType);
  kb.blocks(
      {ceilDiv(outs, tileOuts), ceilDiv(rows, tileRows)},
      [&](OpBuilder &b, Location loc, ValueRange bid) {
        Value o0 = kb.mul(b, bid[0], tileOuts),
              r0 = kb.mul(b, bid[1], tileRows);
        Value tabs = kb.shared(b, i8, {books * 16, tileOuts});
        Value cs = kb.shared(b, i8, {tileRows, stride});

        // The tables' slice of this block's outputs: lane m reads output o0 + m
        // of consecutive table rows.
        kb.threads(b, {tileOuts, kThreads / tileOuts},
                   [&](OpBuilder &b, Location loc, ValueRange ids) {
                     Value m = ids[0];
                     Value o = kb.add(b, o0, m);
                     Value ok = kb.lt(b, o, outs);
                     kb.loop(b, ids[1], kb.idx(b, books * 16),
                             kThreads / tileOuts, [&](OpBuilder &b, Value cq) {
                               memref::StoreOp::create(
                                   b, loc,
                                   kb.loadOrZero(b, ok, tables, {cq, o}), tabs,
                                   ValueRange{cq, m});
                             });
                   });
        kb.threads(
            b, {kThreads}, [&](OpBuilder &b, Location loc, ValueRange tid) {
              int64_t shift = llvm::Log2_64(stride);
              kb.loop(b, tid[0], kb.idx(b, tileRows * stride), kThreads,
                      [&](OpBuilder &b, Value i) {
                        Value r =
                            arith::ShRUIOp::create(b, loc, i, kb.idx(b, shift));
                        Value c = arith::AndIOp::create(b, loc, i,
                                                        kb.idx(b, stride - 1));
                        Value row = kb.add(b, r0, r);
                        Value ok =
                            kb.both(b, kb.lt(b, row, rows), kb.lt(b, c, books));
                        memref::StoreOp::create(
                            b, loc, kb.loadOrZero(b, ok, codes, {row, c}), cs,
                            ValueRange{r, c});
                      });
            });

        kb.threads(
            b, {tileOuts, tileRows},
            [&](OpBuilder &b, Location loc, ValueRange ids) {
              Value m = ids[0], r = ids[1];
              Value o = kb.add(b, o0, m), row = kb.add(b, r0, r);
              kb.ifThen(
                  b, kb.both(b, kb.lt(b, o, outs), kb.lt(b, row, rows)),
                  [&](OpBuilder &b) {
                    SmallVector<Value> entries;
                    for (int64_t c = 0; c < books; ++c) {
                      Value code = memref::LoadOp::create(
                          b, loc, cs, ValueRange{r, kb.idx(b, c)});
                      code = arith::AndIOp::create(
                          b, loc,
                          arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                                       code),
                          kb.idx(b, 15));
                      Value e = memref::LoadOp::create(
                          b, loc, tabs, ValueRange{kb.add(b, code, 16 * c), m});
                      entries.push_back(arith::ExtUIOp::create(b, loc, i16, e));
                    }
                    Value result;
                    if (!average) {
                      result = entries[0];
                      for (int64_t c = 1; c < books; ++c)
                        result =
                            arith::AddIOp::create(b, loc, result, entries[c]);
                    } else {
                      result = arith::TruncIOp::create(
                          b, loc, i8, averageEntries(b, loc, entries));
                    }
                    memref::StoreOp::create(b, loc, result, out,
                                            ValueRange{row, o});
                  });
            });
      });
  return kb.asTensor(out, resultType);
}

static Value buildLMulMatmul(KernelBuilder &kb, LMulMatmulOp op) {
  constexpr int64_t tileN = 32, tileM = 4, chunk = 32;
  auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t m = lhsType.getDimSize(0), k = lhsType.getDimSize(1);
  int64_t n = resultType.getDimSize(1);
  bool transposed = op.getTransposeRhs();
  unsigned bits = op.getMantissaBits();
  Type elt = lhsType.getElementType(), f32 = resultType.getElementType();

  Value lhs = kb.buffer(op.getLhs()), rhs = kb.buffer(op.getRhs()),
        init = kb.buffer(op.getInit());
  Value out = kb.allocResult(resultType);
  kb.blocks({ceilDiv(n, tileN), ceilDiv(m, tileM)}, [&](OpBuilder &b,
                                                        Location loc,
                                                        ValueRange bid) {
    Value n0 = kb.mul(b, bid[0], tileN), m0 = kb.mul(b, bid[1], tileM);
    Value as = kb.shared(b, elt, {tileM, chunk});
    Value bs = kb.shared(b, elt, {chunk, tileN});
    Value acc = kb.shared(b, f32, {tileM, tileN});
    auto inOutput = [&](OpBuilder &b, Value col, Value row) {
      return kb.both(b, kb.lt(b, col, n), kb.lt(b, row, m));
    };

    kb.threads(
        b, {tileN, tileM}, [&](OpBuilder &b, Location loc, ValueRange ids) {
          Value col = kb.add(b, n0, ids[0]), row = kb.add(b, m0, ids[1]);
          memref::StoreOp::create(
              b, loc, kb.loadOrZero(b, inOutput(b, col, row), init, {row, col}),
              acc, ValueRange{ids[1], ids[0]});
        });

    kb.loop(b, kb.idx(b, 0), kb.idx(b, k), chunk, [&](OpBuilder &b, Value k0) {
      kb.threads(
          b, {chunk, tileM}, [&](OpBuilder &b, Location loc, ValueRange ids) {
            Value kk = ids[0], r = ids[1];
            Value row = kb.add(b, m0, r), col = kb.add(b, k0, kk);
            Value ok = kb.both(b, kb.lt(b, row, m), kb.lt(b, col, k));
            memref::StoreOp::create(b, loc,
                                    kb.loadOrZero(b, ok, lhs, {row, col}), as,
                                    ValueRange{r, kk});
          });
      // Consecutive lanes read consecutive addresses of either layout.
      kb.threads(b, {32, 4}, [&](OpBuilder &b, Location loc, ValueRange ids) {
        kb.loop(b, ids[1], kb.idx(b, transposed ? tileN : chunk), 4,
                [&](OpBuilder &b, Value y) {
                  Value kk = transposed ? ids[0] : y;
                  Value nn = transposed ? y : ids[0];
                  Value kIdx = kb.add(b, k0, kk), nIdx = kb.add(b, n0, nn);
                  Value ok = kb.both(b, kb.lt(b, kIdx, k), kb.lt(b, nIdx, n));
                  SmallVector<Value> at{kIdx, nIdx};
                  if (transposed)
                    std::swap(at[0], at[1]);
                  memref::StoreOp::create(b, loc, kb.loadOrZero(b, ok, rhs, at),
                                          bs, ValueRange{kk, nn});
                });
      });
      // Only the chunk's real k: adding a +0 product past K could turn a
      // -0 sum into +0.
      kb.threads(
          b, {tileN, tileM}, [&](OpBuilder &b, Location loc, ValueRange ids) {
            Value nn = ids[0], r = ids[1];
            Value left = arith::SubIOp::create(b, loc, kb.idx(b, k), k0);
            Value end = arith::MinUIOp::create(b, loc, left, kb.idx(b, chunk));
            Value start =
                memref::LoadOp::create(b, loc, acc, ValueRange{r, nn});
            auto sum = scf::ForOp::create(
                b, loc, kb.idx(b, 0), end, kb.idx(b, 1), ValueRange{start},
                [&](OpBuilder &b, Location loc, Value kk, ValueRange s) {
                  Value a =
                      memref::LoadOp::create(b, loc, as, ValueRange{r, kk});
                  Value w =
                      memref::LoadOp::create(b, loc, bs, ValueRange{kk, nn});
                  Value p = buildLMulToF32(b, loc, a, w, bits);
                  scf::YieldOp::create(
                      b, loc,
                      arith::AddFOp::create(b, loc, s[0], p).getResult());
                });
            memref::StoreOp::create(b, loc, sum.getResult(0), acc,
                                    ValueRange{r, nn});
          });
    });

    kb.threads(
        b, {tileN, tileM}, [&](OpBuilder &b, Location loc, ValueRange ids) {
          Value col = kb.add(b, n0, ids[0]), row = kb.add(b, m0, ids[1]);
          kb.ifThen(b, inOutput(b, col, row), [&](OpBuilder &b) {
            memref::StoreOp::create(
                b, loc,
                memref::LoadOp::create(b, loc, acc, ValueRange{ids[1], ids[0]}),
                out, ValueRange{row, col});
          });
        });
  });
  return kb.asTensor(out, resultType);
}

/// Rows of the lut_encode tile: threads per block and shared memory bound.
static int64_t encodeTileRows(LutEncodeOp op) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  int64_t books = cast<RankedTensorType>(op.getType()).getDimSize(1);
  return std::min<int64_t>({kThreads / books,
                            kSharedBytes / (4 * type.getDimSize(1)),
                            type.getDimSize(0)});
}

/// Why `op` cannot become a GPU kernel, or an empty string.
static std::string untileable(Operation *op) {
  for (Type t : op->getOperandTypes())
    if (!cast<ShapedType>(t).hasStaticShape())
      return "dynamic sizes cannot be mapped: the grid and the tiles are "
             "fixed at compile time";
  std::string why;
  if (auto ternary = dyn_cast<TernaryMatmulOp>(op)) {
    (void)ternaryTiles(ternary, why);
    return why;
  }
  if (auto encode = dyn_cast<LutEncodeOp>(op)) {
    int64_t books = cast<RankedTensorType>(encode.getType()).getDimSize(1);
    if (books > kThreads)
      return llvm::formatv("{0} codebooks exceed the {1} threads of a block",
                           books, kThreads);
    if (encodeTileRows(encode) < 1)
      return "rows longer than 8192 values do not fit in shared memory";
    return "";
  }
  if (auto lut = dyn_cast<LutMatmulOp>(op)) {
    int64_t books =
        cast<RankedTensorType>(lut.getCodes().getType()).getDimSize(1);
    if (books * 16 * 32 > kSharedBytes)
      return llvm::formatv("{0} codebooks' tables exceed the {1} bytes of "
                           "shared memory the kernel uses (at most 64)",
                           books, kSharedBytes);
  }
  return "";
}

namespace {

template <typename OpTy> struct TileToGpu : OpRewritePattern<OpTy> {
  TileToGpu(MLIRContext *ctx, bool hostExecutable)
      : OpRewritePattern<OpTy>(ctx), hostExecutable(hostExecutable) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (computesNothing(op))
      return rewriter.notifyMatchFailure(op, "computes nothing (folded)");
    if (std::string why = untileable(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    LDBG() << "tiling for the GPU: " << op->getName();
    KernelBuilder kb(rewriter, op, hostExecutable);
    Value result;
    if constexpr (std::is_same_v<OpTy, TernaryMatmulOp>)
      result = buildTernary(kb, op);
    else if constexpr (std::is_same_v<OpTy, LutEncodeOp>)
      result = buildLutEncode(kb, op, encodeTileRows(op));
    else if constexpr (std::is_same_v<OpTy, LutMatmulOp>)
      result = buildLutMatmul(kb, op);
    else
      result = buildLMulMatmul(kb, op);
    rewriter.replaceOp(op, result);
    return success();
  }

  bool hostExecutable;
};

struct GpuTilePass : mmfree::impl::GpuTileBase<GpuTilePass> {
  using GpuTileBase::GpuTileBase;

  void runOnOperation() override {
    bool bad = false;
    getOperation()->walk([&](Operation *op) {
      if (!isa<TernaryMatmulOp, LutEncodeOp, LutMatmulOp, LMulMatmulOp>(op) ||
          computesNothing(op))
        return;
      std::string why = untileable(op);
      if (!why.empty()) {
        op->emitError() << "cannot map to the GPU: " << why;
        bad = true;
      }
    });
    if (bad)
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateFoldEmptyPatterns(patterns);
    patterns.add<TileToGpu<TernaryMatmulOp>, TileToGpu<LutEncodeOp>,
                 TileToGpu<LutMatmulOp>, TileToGpu<LMulMatmulOp>>(
        &getContext(), hostExecutable);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    config.enableFolding(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
