//===- ConstantWeights.cpp - weights folded at compile time ---------------===//

#include "ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Math/IR/Math.h"
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

} // namespace

/// `v` rounded to the element type `t` (floats) or kept (integers).
static double roundTo(Type t, double v) {
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
static double asUnsigned(Type t, double v) {
  unsigned w = t.getIntOrFloatBitWidth();
  return v < 0 && w < 64 ? v + std::ldexp(1.0, w) : v;
}

static bool compare(arith::CmpFPredicate p, double a, double b) {
  using P = arith::CmpFPredicate;
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (p) {
  case P::AlwaysFalse:
    return false;
  case P::AlwaysTrue:
    return true;
  case P::ORD:
    return !unordered;
  case P::UNO:
    return unordered;
  case P::OEQ:
  case P::UEQ:
    return unordered ? p == P::UEQ : a == b;
  case P::ONE:
  case P::UNE:
    return unordered ? p == P::UNE : a != b;
  case P::OGT:
  case P::UGT:
    return unordered ? p == P::UGT : a > b;
  case P::OGE:
  case P::UGE:
    return unordered ? p == P::UGE : a >= b;
  case P::OLT:
  case P::ULT:
    return unordered ? p == P::ULT : a < b;
  case P::OLE:
  case P::ULE:
    return unordered ? p == P::ULE : a <= b;
  }
  return false;
}

/// `v` wrapped to a signed integer of `bits` bits (two's complement).
static double wrapSigned(int64_t v, unsigned bits) {
  if (bits >= 64)
    return double(v);
  uint64_t mask = (uint64_t(1) << bits) - 1, u = uint64_t(v) & mask;
  return double(int64_t(u << (64 - bits)) >> (64 - bits));
}

std::optional<double> evalScalar(Operation *op, ArrayRef<double> args,
                                 ArrayRef<int64_t> point) {
  Type t = getElementTypeOrSelf(op->getResult(0).getType());
  auto operandType = [&](unsigned i) {
    return getElementTypeOrSelf(op->getOperand(i).getType());
  };
  auto nanOr = [](double a, double b, double r) {
    return std::isnan(a) || std::isnan(b) ? NAN : r;
  };
  return llvm::TypeSwitch<Operation *, std::optional<double>>(op)
      .Case<arith::SIToFPOp, arith::ExtFOp, arith::TruncFOp, arith::ExtSIOp,
            arith::IndexCastOp>(
          [&](Operation *) { return roundTo(t, args[0]); })
      .Case<arith::UIToFPOp, arith::ExtUIOp>([&](Operation *) {
        return roundTo(t, asUnsigned(operandType(0), args[0]));
      })
      .Case([&](arith::NegFOp) { return -args[0]; })
      .Case([&](math::AbsFOp) { return std::fabs(args[0]); })
      .Case([&](math::RoundEvenOp) { return std::nearbyint(args[0]); })
      .Case([&](math::RoundOp) { return std::round(args[0]); })
      .Case([&](arith::MulFOp) { return roundTo(t, args[0] * args[1]); })
      .Case([&](arith::AddFOp) { return roundTo(t, args[0] + args[1]); })
      .Case([&](arith::SubFOp) { return roundTo(t, args[0] - args[1]); })
      .Case([&](arith::DivFOp) { return roundTo(t, args[0] / args[1]); })
      .Case([&](arith::MaximumFOp) {
        return nanOr(args[0], args[1], std::max(args[0], args[1]));
      })
      .Case([&](arith::MinimumFOp) {
        return nanOr(args[0], args[1], std::min(args[0], args[1]));
      })
      .Case([&](arith::MaxNumFOp) { return std::fmax(args[0], args[1]); })
      .Case([&](arith::MinNumFOp) { return std::fmin(args[0], args[1]); })
      .Case([&](arith::CmpFOp c) {
        return double(compare(c.getPredicate(), args[0], args[1]));
      })
      .Case([&](arith::SelectOp) { return args[0] != 0 ? args[1] : args[2]; })
      // Integers (signed values of their width): bit fields of packed
      // weights. Shifts by the width or more are poison: not evaluated.
      .Case<arith::AndIOp, arith::OrIOp, arith::XOrIOp, arith::AddIOp,
            arith::SubIOp, arith::ShLIOp, arith::ShRUIOp, arith::ShRSIOp,
            arith::TruncIOp>([&](Operation *) -> std::optional<double> {
        if (!t.isSignlessInteger() || t.getIntOrFloatBitWidth() > 32)
          return std::nullopt;
        unsigned w = t.getIntOrFloatBitWidth();
        auto a = int64_t(args[0]);
        int64_t b = args.size() > 1 ? int64_t(args[1]) : 0;
        auto ua = int64_t(asUnsigned(operandType(0), args[0]));
        if (isa<arith::ShLIOp, arith::ShRUIOp, arith::ShRSIOp>(op) &&
            (b < 0 || b >= int64_t(w)))
          return std::nullopt;
        int64_t r = llvm::TypeSwitch<Operation *, int64_t>(op)
                        .Case([&](arith::AndIOp) { return a & b; })
                        .Case([&](arith::OrIOp) { return a | b; })
                        .Case([&](arith::XOrIOp) { return a ^ b; })
                        .Case([&](arith::AddIOp) { return a + b; })
                        .Case([&](arith::SubIOp) { return a - b; })
                        .Case([&](arith::ShLIOp) { return a << b; })
                        .Case([&](arith::ShRUIOp) { return ua >> b; })
                        .Case([&](arith::ShRSIOp) { return a >> b; })
                        .Default([&](Operation *) { return a; });
        return wrapSigned(r, w);
      })
      .Case([&](linalg::IndexOp i) -> std::optional<double> {
        if (i.getDim() >= point.size())
          return std::nullopt;
        return double(point[i.getDim()]);
      })
      .Default([](Operation *) { return std::nullopt; });
}

std::optional<double> scalarConstant(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return double(i.getValue().getSExtValue());
  if (auto splat = dyn_cast<SplatElementsAttr>(attr)) {
    Type elt = splat.getElementType();
    if (isa<FloatType>(elt))
      return splat.getSplatValue<APFloat>().convertToDouble();
    if (elt.isSignlessInteger())
      return double(splat.getSplatValue<APInt>().getSExtValue());
  }
  return std::nullopt;
}

namespace {

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
        .Case([&](tensor::InsertSliceOp op) {
          return fromInsertSlice(op, depth);
        })
        .Case<linalg::GenericOp, linalg::TransposeOp, linalg::BroadcastOp,
              linalg::FillOp>(
            [&](linalg::LinalgOp op) { return fromGeneric(op, v, depth); })
        .Default([&](Operation *op) -> FailureOr<Folded> {
          if (op->getNumResults() == 1 && op->getNumRegions() == 0 &&
              op->getDialect() == v.getContext()->getLoadedDialect("arith"))
            return fromElementwise(op, type, depth);
          return fail("weights are not a compile-time constant (produced by '" +
                      op->getName().getStringRef().str() + "')");
        });
  }

private:
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

  /// A static block written into a tensor (how PyTorch's slice assignment,
  /// as in unpacking 2-bit codes row block by row block, is exported).
  FailureOr<Folded> fromInsertSlice(tensor::InsertSliceOp op, int depth) {
    ArrayRef<int64_t> offsets = op.getStaticOffsets();
    RankedTensorType sourceType = op.getSourceType();
    auto outside = [&](int64_t d) {
      return offsets[d] < 0 ||
             sourceType.getDimSize(d) >
                 op.getResultType().getDimSize(d) - offsets[d];
    };
    if (!op.hasUnitStride() || !sourceType.hasStaticShape() ||
        ShapedType::isDynamicShape(offsets) ||
        sourceType.getRank() != op.getResultType().getRank() ||
        llvm::any_of(llvm::seq<int64_t>(0, sourceType.getRank()), outside))
      return fail("weights come from a tensor.insert_slice that is not a "
                  "static block of the same rank");
    // The source first: a runtime block fails before the whole destination
    // is materialized.
    FailureOr<Folded> source = fold(op.getSource(), depth + 1);
    if (failed(source))
      return failure();
    FailureOr<Folded> dest = fold(op.getDest(), depth + 1);
    if (failed(dest))
      return failure();
    ArrayRef<int64_t> shape = dest->shape, block = source->shape;
    int64_t rank = shape.size();
    SmallVector<int64_t> at(rank, 0);
    for (int64_t i = 0, e = source->data.size(); i < e; ++i) {
      int64_t flat = 0;
      for (int64_t d = 0; d < rank; ++d)
        flat = flat * shape[d] + offsets[d] + at[d];
      dest->data[flat] = source->data[i];
      for (int64_t d = rank - 1; d >= 0 && ++at[d] == block[d]; --d)
        at[d] = 0;
    }
    return dest;
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

  /// Linalg ops with projected-permutation maps (dequantization, absmean
  /// and absmax reductions, transposes, broadcasts, fills): the body is run
  /// at every point of the iteration space, in loop order, as the compiled
  /// code runs it (so reductions sum in the same order).
  FailureOr<Folded> fromGeneric(linalg::LinalgOp op, Value v, int depth) {
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    // Constant 0 results read a size-1 dimension (torch-mlir's broadcasts).
    if (!llvm::all_of(maps, [](AffineMap m) {
          return m.isProjectedPermutation(/*allowZeroInResults=*/true);
        }))
      return fail("weights come from a linalg op with maps that are not "
                  "projected permutations");
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t points = 1;
    for (int64_t r : ranges) {
      if (ShapedType::isDynamic(r) ||
          r > kMaxFoldedElements / std::max<int64_t>(points, 1))
        return fail("weights come from a linalg op with a dynamic or too "
                    "large iteration space");
      points *= r;
    }
    Block &body = op->getRegion(0).front();
    // Operand values (empty when the body does not read them), then the
    // body as steps over numbered slots.
    SmallVector<Folded> operands;
    for (OpOperand &operand : op->getOpOperands()) {
      BlockArgument arg = body.getArgument(operand.getOperandNumber());
      if (arg.use_empty() && !op.isDpsInit(&operand)) {
        operands.emplace_back();
        continue;
      }
      if (!isa<RankedTensorType>(operand.get().getType())) {
        std::optional<double> scalar = scalarConstant(operand.get());
        if (!scalar)
          return fail("weights come from a linalg op with a scalar operand "
                      "that is not a constant");
        operands.push_back(Folded{{}, {float(*scalar)}});
        continue;
      }
      if (op.isDpsInit(&operand) && arg.use_empty()) {
        auto t = cast<RankedTensorType>(operand.get().getType());
        operands.push_back(Folded{SmallVector<int64_t>(t.getShape()),
                                  std::vector<float>(t.getNumElements())});
        continue;
      }
      FailureOr<Folded> in = fold(operand.get(), depth + 1);
      if (failed(in))
        return failure();
      operands.push_back(std::move(*in));
    }
    struct Step {
      Operation *op;
      SmallVector<unsigned> args;
    };
    DenseMap<Value, unsigned> slotOf;
    SmallVector<double> slots;
    auto slotFor = [&](Value x) -> std::optional<unsigned> {
      if (auto it = slotOf.find(x); it != slotOf.end())
        return it->second;
      std::optional<double> c = scalarConstant(x);
      if (!c)
        return std::nullopt;
      slots.push_back(*c);
      return slotOf[x] = slots.size() - 1;
    };
    for (BlockArgument arg : body.getArguments()) {
      slotOf[arg] = slots.size();
      slots.push_back(0);
    }
    SmallVector<Step> steps;
    Operation *yield = body.getTerminator();
    for (Operation &inner : body.without_terminator()) {
      Step step{&inner, {}};
      for (Value operand : inner.getOperands()) {
        std::optional<unsigned> slot = slotFor(operand);
        if (!slot)
          return fail("weights come from a linalg op whose body reads a "
                      "value that is not a constant");
        step.args.push_back(*slot);
      }
      bool known = isa<arith::ConstantOp, cf::AssertOp>(inner) ||
                   (inner.getNumResults() == 1 && inner.getNumRegions() == 0);
      if (!known)
        return fail("weights come from a linalg op whose body uses '" +
                    inner.getName().getStringRef().str() +
                    "', which the fold does not evaluate");
      for (Value r : inner.getResults()) {
        slotOf[r] = slots.size();
        slots.push_back(
            isa<arith::ConstantOp>(inner) ? scalarConstant(r).value_or(0) : 0);
      }
      if (!isa<arith::ConstantOp>(inner))
        steps.push_back(std::move(step));
    }
    SmallVector<unsigned> yielded;
    for (Value y : yield->getOperands()) {
      std::optional<unsigned> slot = slotFor(y);
      if (!slot)
        return fail("weights come from a linalg op that yields a value it "
                    "does not compute");
      yielded.push_back(*slot);
    }
    // Row-major strides of every operand along each loop dimension.
    int64_t loops = ranges.size();
    SmallVector<SmallVector<int64_t>> strides;
    for (auto [map, operand] : llvm::zip(maps, op->getOperands())) {
      SmallVector<int64_t> st(loops, 0);
      auto shaped = dyn_cast<ShapedType>(operand.getType());
      ArrayRef<int64_t> shape =
          shaped ? shaped.getShape() : ArrayRef<int64_t>();
      int64_t stride = 1;
      for (int64_t r = int64_t(map.getNumResults()) - 1; r >= 0; --r) {
        if (auto dim = dyn_cast<AffineDimExpr>(map.getResult(r)))
          st[dim.getPosition()] = stride;
        stride *= shape[r];
      }
      strides.push_back(std::move(st));
    }
    unsigned numInputs = op.getNumDpsInputs();
    SmallVector<int64_t> point(loops, 0);
    SmallVector<double> args;
    for (int64_t p = 0; p < points; ++p) {
      SmallVector<int64_t> at(operands.size(), 0);
      for (unsigned i = 0; i < operands.size(); ++i) {
        for (int64_t d = 0; d < loops; ++d)
          at[i] += point[d] * strides[i][d];
        if (!operands[i].data.empty())
          slots[i] = operands[i].data[at[i]];
      }
      for (Step &step : steps) {
        args.clear();
        for (unsigned a : step.args)
          args.push_back(slots[a]);
        if (isa<cf::AssertOp>(step.op)) {
          if (args[0] == 0)
            return fail("weights come from a linalg op whose assertion "
                        "fails at compile time");
          continue;
        }
        std::optional<double> r = evalScalar(step.op, args, point);
        if (!r)
          return fail("weights come from a linalg op whose body uses '" +
                      step.op->getName().getStringRef().str() +
                      "', which the fold does not evaluate");
        slots[slotOf[step.op->getResult(0)]] = *r;
      }
      for (auto [i, slot] : llvm::enumerate(yielded))
        operands[numInputs + i].data[at[numInputs + i]] = float(slots[slot]);
      for (int64_t d = loops - 1; d >= 0 && ++point[d] == ranges[d]; --d)
        point[d] = 0;
    }
    return std::move(operands[numInputs + cast<OpResult>(v).getResultNumber()]);
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
  // Ternarizing or learning tables from them has no meaning.
  auto bad = llvm::find_if(f->data, [](float x) { return !std::isfinite(x); });
  if (bad != f->data.end()) {
    why = "weights hold a NaN or an infinity (element " +
          std::to_string(bad - f->data.begin()) + ")";
    return failure();
  }
  return std::move(f->data);
}

} // namespace mmfree
