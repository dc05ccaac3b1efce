//===- UnpackedTernary.cpp - runtime weights unpacked from 2-bit codes ----===//

#include "UnpackedTernary.h"

#include "ConstantWeights.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/BitVector.h"

#include <cmath>

using namespace mlir;

namespace mmfree {

/// An elementwise linalg.generic of one tensor input (identity maps, the
/// init unread) whose body has only scalar ops: its input, else null.
static Value genericInput(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumResults() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops())
    return {};
  Block &body = op.getRegion().front();
  if (!body.getArgument(op.getNumDpsInputs()).use_empty())
    return {};
  Value input;
  for (OpOperand *in : op.getDpsInputOperands()) {
    if (!isa<ShapedType>(in->get().getType()))
      continue; // a scalar operand: read as a constant when evaluated
    if (input || !op.getMatchingIndexingMap(in).isIdentity() ||
        cast<ShapedType>(in->get().getType()).getShape() !=
            cast<ShapedType>(op->getResult(0).getType()).getShape())
      return {};
    input = in->get();
  }
  if (!input || !op.getIndexingMapsArray().back().isIdentity())
    return {};
  return input;
}

namespace {

/// A chain of elementwise steps, applied to one scalar.
class ScalarChain {
public:
  /// Walks from `v` up through elementwise steps; returns the first value
  /// that is not the result of one.
  Value walk(Value v) {
    while (Operation *def = v.getDefiningOp()) {
      Value input;
      if (auto generic = dyn_cast<linalg::GenericOp>(def))
        input = genericInput(generic);
      else if (def->getNumResults() == 1 && def->getNumRegions() == 0 &&
               def->getDialect()->getNamespace() == "arith")
        input = tensorOperand(def);
      if (!input)
        break;
      steps.push_back(def);
      v = input;
    }
    std::reverse(steps.begin(), steps.end());
    return v;
  }

  std::optional<double> apply(double x) const {
    for (Operation *step : steps) {
      std::optional<double> r =
          isa<linalg::GenericOp>(step)
              ? applyBody(cast<linalg::GenericOp>(step), x)
              : applyOp(step, x);
      if (!r)
        return std::nullopt;
      x = *r;
    }
    return x;
  }

private:
  SmallVector<Operation *> steps;

  /// The one non-constant operand of an elementwise arith op on tensors.
  static Value tensorOperand(Operation *op) {
    Value input;
    for (Value operand : op->getOperands()) {
      if (!isa<RankedTensorType>(operand.getType()))
        return {};
      if (scalarConstant(operand))
        continue;
      if (input && input != operand)
        return {};
      input = operand;
    }
    return input;
  }

  static std::optional<double> applyOp(Operation *op, double x) {
    SmallVector<double> args;
    for (Value operand : op->getOperands())
      args.push_back(scalarConstant(operand).value_or(x));
    return evalScalar(op, args);
  }

  static std::optional<double> applyBody(linalg::GenericOp op, double x) {
    Block &body = op.getRegion().front();
    DenseMap<Value, double> env;
    for (OpOperand *in : op.getDpsInputOperands()) {
      Value arg = body.getArgument(in->getOperandNumber());
      if (isa<ShapedType>(in->get().getType()))
        env[arg] = x;
      else if (std::optional<double> c = scalarConstant(in->get()))
        env[arg] = *c;
    }
    auto lookup = [&](Value v) -> std::optional<double> {
      if (auto it = env.find(v); it != env.end())
        return it->second;
      return scalarConstant(v);
    };
    for (Operation &inner : body.without_terminator()) {
      if (isa<arith::ConstantOp>(inner))
        continue;
      if (inner.getNumResults() != 1 || inner.getNumRegions() != 0)
        return std::nullopt;
      SmallVector<double> args;
      for (Value operand : inner.getOperands()) {
        std::optional<double> a = lookup(operand);
        if (!a)
          return std::nullopt;
        args.push_back(*a);
      }
      std::optional<double> r = evalScalar(&inner, args);
      if (!r)
        return std::nullopt;
      env[inner.getResult(0)] = *r;
    }
    return lookup(body.getTerminator()->getOperand(0));
  }
};

/// One slice of the unpacked codes: rows [offset, offset + size).
struct Slice {
  int64_t offset, size;
  Value source;
};

} // namespace

/// The slices `v` (N x K) is assembled from by tensor.insert_slice along
/// dimension 0, or `v` itself as one slice.
static FailureOr<SmallVector<Slice>> slicesOf(Value v, int64_t n, int64_t k,
                                              std::string &why) {
  SmallVector<Slice> slices;
  llvm::BitVector covered(n);
  Value cur = v;
  while (auto insert = cur.getDefiningOp<tensor::InsertSliceOp>()) {
    ArrayRef<int64_t> offsets = insert.getStaticOffsets(),
                      sizes = insert.getStaticSizes(),
                      strides = insert.getStaticStrides();
    if (offsets.size() != 2 || ShapedType::isDynamic(offsets[0]) ||
        ShapedType::isDynamic(sizes[0]) || offsets[1] != 0 || sizes[1] != k ||
        strides[0] != 1 || strides[1] != 1 || offsets[0] < 0 ||
        sizes[0] > n - offsets[0]) {
      why = "packed weights are assembled by an insert_slice that is not "
            "a static block of whole rows";
      return failure();
    }
    // Later insertions overwrite earlier ones: keep only rows not yet seen.
    if (covered.find_first_in(offsets[0], offsets[0] + sizes[0]) == -1) {
      slices.push_back({offsets[0], sizes[0], insert.getSource()});
      covered.set(offsets[0], offsets[0] + sizes[0]);
    }
    cur = insert.getDest();
  }
  if (slices.empty())
    return SmallVector<Slice>{{0, n, v}};
  if (!covered.all()) {
    why = "packed weights leave rows of the unpacked tensor unwritten";
    return failure();
  }
  llvm::sort(slices, [](const Slice &a, const Slice &b) {
    return a.offset < b.offset;
  });
  return slices;
}

FailureOr<UnpackedTernary> matchUnpackedTernary(Value weights,
                                                std::string &why) {
  auto type = dyn_cast<RankedTensorType>(weights.getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape()) {
    why = "runtime weights without a static 2-D shape";
    return failure();
  }
  int64_t n = type.getDimSize(0), k = type.getDimSize(1);
  ScalarChain tail;
  Value codes = tail.walk(weights);
  FailureOr<SmallVector<Slice>> slices = slicesOf(codes, n, k, why);
  if (failed(slices))
    return failure();
  UnpackedTernary result{{}, (*slices)[0].size, {}, {}};
  for (auto [s, slice] : llvm::enumerate(*slices)) {
    if (slice.size != result.rows || slice.offset != int64_t(s) * result.rows) {
      why = "packed weights are unpacked into slices of unequal rows";
      return failure();
    }
    ScalarChain head;
    auto arg = dyn_cast<BlockArgument>(head.walk(slice.source));
    auto argType =
        arg ? dyn_cast<RankedTensorType>(arg.getType()) : RankedTensorType();
    if (!arg || !arg.getOwner()->isEntryBlock() ||
        !isa<func::FuncOp>(arg.getOwner()->getParentOp()) || !argType ||
        !argType.getElementType().isSignlessInteger(8) ||
        argType.getShape() != ArrayRef<int64_t>{result.rows, k}) {
      why = "nor unpacked from 2-bit codes of an i8 function argument of "
            "rows x K";
      return failure();
    }
    if (result.packed && arg != result.packed) {
      why = "weights are unpacked from more than one argument";
      return failure();
    }
    result.packed = arg;
    // Each byte's value, then the 2-bit field it depends on.
    std::array<double, 256> value;
    for (int b = 0; b < 256; ++b) {
      std::optional<double> code = head.apply(double(int8_t(b)));
      std::optional<double> v = code ? tail.apply(*code) : std::nullopt;
      if (!v) {
        why = "weights are unpacked by an op the compiler does not evaluate";
        return failure();
      }
      value[b] = *v;
    }
    auto same = [](double a, double b) {
      return a == b || (std::isnan(a) && std::isnan(b));
    };
    std::optional<int64_t> shift;
    for (int64_t sh = 0; sh < 8 && !shift; sh += 2)
      if (llvm::all_of(llvm::seq(0, 256), [&](int b) {
            return same(value[b], value[((b >> sh) & 3) << sh]);
          }))
        shift = sh;
    if (!shift) {
      why = "unpacked weights do not depend on one 2-bit field of each byte";
      return failure();
    }
    std::array<float, 4> values;
    for (int c = 0; c < 4; ++c)
      values[c] = float(value[c << *shift]);
    if (s > 0 && !llvm::all_of(llvm::seq(0, 4), [&](int c) {
          return same(values[c], result.values[c]);
        })) {
      why = "slices of the packed weights map codes to different values";
      return failure();
    }
    result.values = values;
    result.shifts.push_back(*shift);
  }
  if (!llvm::all_of(std::array<float, 3>{-1.f, 0.f, 1.f}, [&](float t) {
        return llvm::is_contained(result.values, t);
      })) {
    why = "unpacked 2-bit codes do not give each of -1, 0 and +1";
    return failure();
  }
  return result;
}

} // namespace mmfree
