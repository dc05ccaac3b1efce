//===- ConstantWeights.cpp - weights folded at compile time ---------------===//

#include "ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;

namespace mmfree {
namespace {

/// A folded tensor: static shape, row-major values. Every element type on a
/// weight chain (i8, i32 below 2^24, f16, bf16, f32) is exact in a float.
struct Folded {
  SmallVector<int64_t> shape;
  std::vector<float> data;
};

/// `v` rounded to the element type `t` (floats) or kept (integers).
double roundTo(Type t, double v) {
  if (t.isF32())
    return double(float(v));
  if (auto ft = dyn_cast<FloatType>(t)) {
    APFloat f(v);
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    f.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    return f.convertToDouble();
  }
  return v;
}

/// An integer read as unsigned of its type's width (for uitofp / extui).
double asUnsigned(Type t, double v) {
  unsigned w = t.getIntOrFloatBitWidth();
  return v < 0 && w < 64 ? v + std::ldexp(1.0, w) : v;
}

/// One arith op on scalars, or nullopt if it is not one the fold knows.
std::optional<double> evalScalar(Operation *op, ArrayRef<double> args) {
  Type t = getElementTypeOrSelf(op->getResult(0).getType());
  auto operandType = [&](unsigned i) {
    return getElementTypeOrSelf(op->getOperand(i).getType());
  };
  return llvm::TypeSwitch<Operation *, std::optional<double>>(op)
      .Case<arith::SIToFPOp, arith::ExtFOp, arith::TruncFOp, arith::ExtSIOp>(
          [&](Operation *) { return roundTo(t, args[0]); })
      .Case<arith::UIToFPOp, arith::ExtUIOp>([&](Operation *) {
        return roundTo(t, asUnsigned(operandType(0), args[0]));
      })
      .Case([&](arith::NegFOp) { return -args[0]; })
      .Case([&](arith::MulFOp) { return roundTo(t, args[0] * args[1]); })
      .Case([&](arith::AddFOp) { return roundTo(t, args[0] + args[1]); })
      .Case([&](arith::SubFOp) { return roundTo(t, args[0] - args[1]); })
      .Case([&](arith::DivFOp) { return roundTo(t, args[0] / args[1]); })
      .Default([](Operation *) { return std::nullopt; });
}

class Folder {
public:
  std::string why;

  FailureOr<Folded> fold(Value v, int depth = 0) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    // A cast may pass through a dynamic shape: fold its source.
    if (auto cast = v.getDefiningOp<tensor::CastOp>()) {
      FailureOr<Folded> in = fold(cast.getSource(), depth + 1);
      if (succeeded(in) && type && type.hasStaticShape())
        in->shape.assign(type.getShape().begin(), type.getShape().end());
      return in;
    }
    if (!type || !type.hasStaticShape())
      return fail("weights pass through a tensor without a static shape");
    if (type.getNumElements() > kMaxFoldedElements)
      return fail("weights pass through a tensor of " +
                  std::to_string(type.getNumElements()) +
                  " elements, more than the 2^28 folded at compile time");
    if (depth > 32)
      return fail("the weights' producer chain is longer than 32 ops");
    Operation *def = v.getDefiningOp();
    Attribute attr;
    if (matchPattern(v, m_Constant(&attr)))
      return fromAttr(attr, type);
    if (!def)
      return fail("weights are not a compile-time constant");
    return llvm::TypeSwitch<Operation *, FailureOr<Folded>>(def)
        .Case<ml_program::GlobalLoadConstOp, ml_program::GlobalLoadOp>(
            [&](auto load) {
              return fromGlobal(load, load.getGlobalAttr(), type);
            })
        .Case<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
            [&](Operation *op) -> FailureOr<Folded> {
              FailureOr<Folded> in = fold(op->getOperand(0), depth + 1);
              if (failed(in))
                return failure();
              in->shape.assign(type.getShape().begin(), type.getShape().end());
              return in;
            })
        .Case([&](linalg::GenericOp g) { return fromGeneric(g, depth); })
        .Case<linalg::TransposeOp, linalg::BroadcastOp>(
            [&](linalg::LinalgOp op) { return fromGeneric(op, depth); })
        .Default([&](Operation *op) -> FailureOr<Folded> {
          if (op->getNumResults() == 1 && op->getNumRegions() == 0 &&
              op->getDialect() == v.getContext()->getLoadedDialect("arith"))
            return fromElementwise(op, type, depth);
          return fail("weights are not a compile-time constant (produced by '" +
                      op->getName().getStringRef().str() + "')");
        });
  }

private:
  static std::optional<double> scalarConstant(Value v) {
    Attribute attr;
    if (!matchPattern(v, m_Constant(&attr)))
      return std::nullopt;
    if (auto f = dyn_cast<FloatAttr>(attr))
      return f.getValueAsDouble();
    if (auto i = dyn_cast<IntegerAttr>(attr))
      return double(i.getValue().getSExtValue());
    return std::nullopt;
  }

  /// A body value: computed in this point's walk, or a scalar constant.
  static std::optional<double> lookup(const DenseMap<Value, double> &env,
                                      Value v) {
    auto it = env.find(v);
    if (it != env.end())
      return it->second;
    return scalarConstant(v);
  }

  FailureOr<Folded> fail(std::string reason) {
    if (why.empty())
      why = std::move(reason);
    return failure();
  }

  FailureOr<Folded> fromAttr(Attribute attr, RankedTensorType type) {
    Folded f{SmallVector<int64_t>(type.getShape()), {}};
    Type elt = type.getElementType();
    bool known = elt.isF32() || elt.isF16() || elt.isBF16() ||
                 elt.isInteger(8) || elt.isInteger(32);
    if (!known)
      return fail("weights are a constant of an unsupported element type "
                  "(expected f32, f16, bf16, i8 or i32)");
    if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
      f.data.reserve(type.getNumElements());
      if (isa<FloatType>(elt))
        for (APFloat x : dense.getValues<APFloat>()) {
          bool lost;
          x.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
          f.data.push_back(x.convertToFloat());
        }
      else
        for (const APInt &x : dense.getValues<APInt>())
          f.data.push_back(float(x.getSExtValue()));
      return f;
    }
    auto res = dyn_cast<DenseResourceElementsAttr>(attr);
    AsmResourceBlob *blob = res ? res.getRawHandle().getBlob() : nullptr;
    if (!blob)
      return fail("weights are a constant of an unsupported kind (expected "
                  "dense, or dense_resource with data)");
    ArrayRef<char> bytes = blob->getData();
    unsigned width = elt.getIntOrFloatBitWidth() / 8;
    if (int64_t(bytes.size()) != type.getNumElements() * width)
      return fail("dense_resource blob holds " + std::to_string(bytes.size()) +
                  " bytes, not the " +
                  std::to_string(type.getNumElements() * width) +
                  " its tensor type needs");
    f.data.resize(type.getNumElements());
    for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
      const char *p = bytes.data() + i * width;
      if (elt.isF32()) {
        std::memcpy(&f.data[i], p, 4);
      } else if (elt.isInteger(8)) {
        f.data[i] = float(int8_t(*p));
      } else if (elt.isInteger(32)) {
        int32_t x;
        std::memcpy(&x, p, 4);
        f.data[i] = float(x);
      } else {
        uint16_t bits;
        std::memcpy(&bits, p, 2);
        APFloat x(cast<FloatType>(elt).getFloatSemantics(), APInt(16, bits));
        bool lost;
        x.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
        f.data[i] = x.convertToFloat();
      }
    }
    return f;
  }

  FailureOr<Folded> fromGlobal(Operation *load, SymbolRefAttr name,
                               RankedTensorType type) {
    auto global =
        SymbolTable::lookupNearestSymbolFrom<ml_program::GlobalOp>(load, name);
    if (!global || global.getIsMutable() || !global.getValue())
      return fail("weights are loaded from a mutable or uninitialized global");
    return fromAttr(*global.getValue(), type);
  }

  /// Elementwise arith ops on whole tensors (sitofp, extf, mulf, ...).
  FailureOr<Folded> fromElementwise(Operation *op, RankedTensorType type,
                                    int depth) {
    SmallVector<Folded> ins;
    for (Value operand : op->getOperands()) {
      if (operand.getType() != op->getOperand(0).getType() ||
          cast<ShapedType>(operand.getType()).getShape() != type.getShape())
        return fail("weights come from an arith op with operands of "
                    "another shape");
      FailureOr<Folded> in = fold(operand, depth + 1);
      if (failed(in))
        return failure();
      ins.push_back(std::move(*in));
    }
    Folded out{SmallVector<int64_t>(type.getShape()), {}};
    out.data.resize(type.getNumElements());
    SmallVector<double> args(ins.size());
    for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
      for (auto [a, in] : llvm::zip(args, ins))
        a = in.data[i];
      std::optional<double> r = evalScalar(op, args);
      if (!r)
        return fail("weights come from '" + op->getName().getStringRef().str() +
                    "', which the fold does not evaluate");
      out.data[i] = float(*r);
    }
    return out;
  }

  /// All-parallel linalg ops with projected-permutation maps (dequantize,
  /// transposes, broadcasts): the body is evaluated at every point.
  FailureOr<Folded> fromGeneric(linalg::LinalgOp op, int depth) {
    if (op.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
        op.getNumParallelLoops() != op.getNumLoops())
      return fail("weights come from a linalg op that is not one "
                  "elementwise result");
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    if (!llvm::all_of(maps,
                      [](AffineMap m) { return m.isProjectedPermutation(); }) ||
        !maps.back().isPermutation())
      return fail("weights come from a linalg op with maps that are not "
                  "permutations");
    Block &body = op->getRegion(0).front();
    SmallVector<Folded> ins;
    for (OpOperand &operand : op->getOpOperands()) {
      if (body.getArgument(operand.getOperandNumber()).use_empty()) {
        ins.emplace_back();
        continue;
      }
      if (!isa<RankedTensorType>(operand.get().getType())) {
        std::optional<double> scalar = scalarConstant(operand.get());
        if (!scalar)
          return fail("weights come from a linalg op with a scalar operand "
                      "that is not a constant");
        ins.push_back(Folded{{}, {float(*scalar)}});
        continue;
      }
      FailureOr<Folded> in = fold(operand.get(), depth + 1);
      if (failed(in))
        return failure();
      ins.push_back(std::move(*in));
    }
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t loops = ranges.size();
    // Row-major strides of every operand along each loop dimension.
    SmallVector<SmallVector<int64_t>> strides;
    for (auto [map, operand] : llvm::zip(maps, op->getOperands())) {
      SmallVector<int64_t> s(loops, 0);
      auto shaped = dyn_cast<ShapedType>(operand.getType());
      ArrayRef<int64_t> shape =
          shaped ? shaped.getShape() : ArrayRef<int64_t>();
      int64_t stride = 1;
      for (int64_t r = map.getNumResults() - 1; r >= 0; --r) {
        s[cast<AffineDimExpr>(map.getResult(r)).getPosition()] = stride;
        stride *= shape[r];
      }
      strides.push_back(std::move(s));
    }
    Folded out{SmallVector<int64_t>(type.getShape()), {}};
    out.data.resize(type.getNumElements());
    DenseMap<Value, double> env;
    SmallVector<int64_t> point(loops, 0);
    for (int64_t step = 0, e = type.getNumElements(); step < e; ++step) {
      for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
        if (ins[i].data.empty())
          continue;
        int64_t at = 0;
        for (int64_t d = 0; d < loops; ++d)
          at += point[d] * strides[i][d];
        env[arg] = ins[i].data[at];
      }
      for (Operation &inner : body) {
        if (auto yield = dyn_cast<linalg::YieldOp>(inner)) {
          int64_t at = 0;
          for (int64_t d = 0; d < loops; ++d)
            at += point[d] * strides.back()[d];
          std::optional<double> y = lookup(env, yield.getOperand(0));
          if (!y)
            return fail("weights come from a linalg op whose result is not "
                        "computed in its body");
          out.data[at] = float(*y);
          break;
        }
        std::optional<double> r;
        if (isa<arith::ConstantOp>(inner))
          r = scalarConstant(inner.getResult(0));
        else if (inner.getNumResults() == 1 && inner.getNumRegions() == 0) {
          SmallVector<double> args;
          for (Value operand : inner.getOperands())
            if (std::optional<double> a = lookup(env, operand))
              args.push_back(*a);
          if (args.size() == inner.getNumOperands())
            r = evalScalar(&inner, args);
        }
        if (!r)
          return fail("weights come from a linalg.generic whose body uses '" +
                      inner.getName().getStringRef().str() +
                      "', which the fold does not evaluate");
        env[inner.getResult(0)] = *r;
      }
      for (int64_t d = loops - 1; d >= 0 && ++point[d] == ranges[d]; --d)
        point[d] = 0;
    }
    return out;
  }
};

} // namespace

FailureOr<std::vector<float>> constantWeights(Value v, std::string &why) {
  Folder folder;
  FailureOr<Folded> f = folder.fold(v);
  if (failed(f)) {
    why = folder.why;
    return failure();
  }
  return std::move(f->data);
}

} // namespace mmfree
