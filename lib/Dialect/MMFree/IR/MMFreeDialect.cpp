//===- MMFreeDialect.cpp - mmfree dialect and op verifiers ----------------===//

#include "mmfree/Dialect/MMFree/IR/MMFree.h"
#include "mmfree/Numerics/Maddness.h"
#include "mmfree/Numerics/Ternary.h"

#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mmfree;

#include "mmfree/Dialect/MMFree/IR/MMFreeOpsDialect.cpp.inc"

#include "mmfree/Dialect/MMFree/IR/MMFreeEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "mmfree/Dialect/MMFree/IR/MMFreeAttrs.cpp.inc"

void MMFreeDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "mmfree/Dialect/MMFree/IR/MMFreeOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mmfree/Dialect/MMFree/IR/MMFreeAttrs.cpp.inc"
      >();
  attachTilingModels(*getContext());
}

/// True when the two sizes may be equal (either dynamic, or both equal).
static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// A result dimension that the operands fix must be static: the lowerings
/// size their loops and buffers from the operands, not from a `?` that
/// could be anything. `fixed[i]` is dimension i as the operands give it.
static LogicalResult verifyFixedDims(Operation *op, ShapedType result,
                                     ArrayRef<int64_t> fixed) {
  for (auto [i, size] : llvm::enumerate(fixed))
    if (!ShapedType::isDynamic(size) && result.isDynamicDim(i))
      return op->emitOpError("result dimension ")
             << i << " is dynamic but the operands fix it to " << size;
  return success();
}

LogicalResult QuantizeRowsOp::verify() {
  auto in = getInput().getType(), out = getQuantized().getType();
  if (!compatible(in.getDimSize(0), out.getDimSize(0)) ||
      !compatible(in.getDimSize(1), out.getDimSize(1)))
    return emitOpError("quantized shape ")
           << out << " does not match input shape " << in;
  if (!compatible(in.getDimSize(0), getScale().getType().getDimSize(0)))
    return emitOpError("expects one scale per input row, got ")
           << getScale().getType();
  return success();
}

LogicalResult TernaryMatmulOp::verify() {
  auto in = getInput().getType(), w = getWeights().getType();
  auto out = getResult().getType();
  int64_t k = getK();
  if (!compatible(in.getDimSize(1), k))
    return emitOpError("input has ")
           << in.getDimSize(1) << " columns but k = " << k;
  if (!w.hasStaticShape())
    return emitOpError("expects packed weights with a static shape, got ") << w;
  if (w.getDimSize(2) != numerics::kBlockBytes)
    return emitOpError("expects packed weights of shape N x ceil(k/64) x 16, "
                       "got ")
           << w;
  if (w.getDimSize(1) != numerics::numBlocks(k))
    return emitOpError("expects ")
           << numerics::numBlocks(k) << " blocks of 64 weights for k = " << k
           << ", got " << w.getDimSize(1);
  if (!compatible(in.getDimSize(0), out.getDimSize(0)) ||
      !compatible(w.getDimSize(0), out.getDimSize(1)))
    return emitOpError("result shape ")
           << out << " does not match M = " << in.getDimSize(0)
           << ", N = " << w.getDimSize(0);
  if (failed(verifyFixedDims(*this, out, {in.getDimSize(0), w.getDimSize(0)})))
    return failure();
  Type inElt = in.getElementType(), outElt = out.getElementType();
  if (inElt.isF32() != outElt.isF32())
    return emitOpError("f32 activations need an f32 result and i8 "
                       "activations an integer result, got ")
           << inElt << " -> " << outElt;
  if (auto intTy = dyn_cast<IntegerType>(outElt)) {
    unsigned need = numerics::accumulatorBits(k);
    if (intTy.getWidth() < need)
      return emitOpError("accumulator ")
             << outElt << " can overflow for k = " << k << "; needs i" << need;
  }
  return success();
}

LogicalResult X86DotBytesOp::verify() {
  if (getLhs().getType().getNumElements() !=
      4 * getAcc().getType().getNumElements())
    return emitOpError("needs 4 bytes per i32 lane: ")
           << getLhs().getType() << " for " << getAcc().getType();
  return success();
}

LogicalResult DequantizeOp::verify() {
  auto acc = getAcc().getType(), out = getResult().getType();
  if (!compatible(acc.getDimSize(0), out.getDimSize(0)) ||
      !compatible(acc.getDimSize(1), out.getDimSize(1)))
    return emitOpError("result shape ")
           << out << " does not match accumulator shape " << acc;
  int64_t ws = getWeightScale().getType().getDimSize(0);
  if (ws != 1 && !compatible(ws, acc.getDimSize(1)))
    return emitOpError("expects 1 or N = ")
           << acc.getDimSize(1) << " weight scales, got " << ws;
  bool isInt = isa<IntegerType>(acc.getElementType());
  if (isInt != bool(getRowScale()))
    return emitOpError(isInt ? "integer accumulators need a row scale"
                             : "f32 accumulators take no row scale");
  if (auto rs = getRowScale())
    if (!compatible(rs.getType().getDimSize(0), acc.getDimSize(0)))
      return emitOpError("expects one row scale per row, got ") << rs.getType();
  return success();
}

std::optional<numerics::FloatFormat> mmfree::getLMulFormat(Type type) {
  using numerics::FloatFormat;
  Type elt = getElementTypeOrSelf(type);
  if (elt.isF32())
    return FloatFormat::F32;
  if (elt.isBF16())
    return FloatFormat::BF16;
  if (elt.isF16())
    return FloatFormat::F16;
  if (isa<Float8E4M3FNType>(elt))
    return FloatFormat::F8E4M3FN;
  if (isa<Float8E5M2Type>(elt))
    return FloatFormat::F8E5M2;
  return std::nullopt;
}

/// k must not exceed the stored mantissa bits of the format.
static LogicalResult verifyMantissaBits(Operation *op, Type type, int64_t k) {
  unsigned m = numerics::formatInfo(*getLMulFormat(type)).mantissa;
  if (k > int64_t(m))
    return op->emitOpError("mantissa_bits = ")
           << k << " exceeds the " << m << " mantissa bits of "
           << getElementTypeOrSelf(type);
  return success();
}

LogicalResult LMulOp::verify() {
  return verifyMantissaBits(*this, getType(), getMantissaBits());
}

LogicalResult LMulMatmulOp::verify() {
  auto lhs = getLhs().getType(), rhs = getRhs().getType();
  auto init = getInit().getType();
  if (lhs.getElementType() != rhs.getElementType())
    return emitOpError("operands must have the same element type, got ")
           << lhs.getElementType() << " and " << rhs.getElementType();
  int64_t rhsK = rhs.getDimSize(getTransposeRhs() ? 1 : 0);
  int64_t rhsN = rhs.getDimSize(getTransposeRhs() ? 0 : 1);
  if (!compatible(lhs.getDimSize(1), rhsK))
    return emitOpError("reduction sizes differ: lhs has ")
           << lhs.getDimSize(1) << ", rhs has " << rhsK;
  if (!compatible(init.getDimSize(0), lhs.getDimSize(0)) ||
      !compatible(init.getDimSize(1), rhsN))
    return emitOpError("init shape ")
           << init << " does not match M = " << lhs.getDimSize(0)
           << ", N = " << rhsN;
  if (getResult().getType() != init)
    return emitOpError("result type must equal the init type ") << init;
  return verifyMantissaBits(*this, lhs, getMantissaBits());
}

LogicalResult LutEncodeOp::verify() {
  auto in = getInput().getType(), codes = getCodes().getType();
  auto dims = getDims().getType(), thr = getThresholds().getType();
  int64_t c = dims.getDimSize(0);
  bool transposed = getTransposeInput();
  int64_t rows = in.getDimSize(transposed ? 1 : 0),
          cols = in.getDimSize(transposed ? 0 : 1);
  if (!dims.hasStaticShape() || !thr.hasStaticShape())
    return emitOpError("expects split dimensions and thresholds with static "
                       "shapes");
  if (c == 0)
    return emitOpError("needs at least one codebook");
  if (dims.getDimSize(1) != numerics::kTreeDepth)
    return emitOpError("expects one split dimension per tree level (C x ")
           << numerics::kTreeDepth << "), got " << dims;
  if (!compatible(thr.getDimSize(0), c) ||
      thr.getDimSize(1) != numerics::kBuckets - 1)
    return emitOpError("expects C x ")
           << numerics::kBuckets - 1 << " node thresholds, got " << thr;
  if (!compatible(codes.getDimSize(0), rows) ||
      !compatible(codes.getDimSize(1), c))
    return emitOpError("codes shape ")
           << codes << " does not match N = " << rows << ", C = " << c;
  if (failed(verifyFixedDims(*this, codes, {rows, c})))
    return failure();
  if (!ShapedType::isDynamic(c) && !ShapedType::isDynamic(cols) && c > cols)
    return emitOpError("has ")
           << c << " codebooks for only " << cols << " columns";
  return success();
}

LogicalResult LutMatmulOp::verify() {
  auto codes = getCodes().getType(), tables = getTables().getType();
  auto result = getResult().getType();
  int64_t c = tables.getDimSize(0);
  if (!tables.hasStaticShape())
    return emitOpError("expects tables with a static shape, got ") << tables;
  if (c == 0)
    return emitOpError("needs at least one codebook");
  if (tables.getDimSize(1) != numerics::kBuckets)
    return emitOpError("expects tables of shape C x ")
           << numerics::kBuckets << " x M, got " << tables;
  if (!compatible(codes.getDimSize(1), c))
    return emitOpError("codes have ")
           << codes.getDimSize(1) << " codebooks, tables " << c;
  if (!compatible(result.getDimSize(0), codes.getDimSize(0)) ||
      !compatible(result.getDimSize(1), tables.getDimSize(2)))
    return emitOpError("result shape ")
           << result << " does not match N = " << codes.getDimSize(0)
           << ", M = " << tables.getDimSize(2);
  if (failed(verifyFixedDims(*this, result,
                             {codes.getDimSize(0), tables.getDimSize(2)})))
    return failure();
  bool exact = getAccumulation() == LutAccumulation::Exact;
  unsigned width = result.getElementType().getIntOrFloatBitWidth();
  if (exact && width != 16)
    return emitOpError("exact accumulation gives i16 sums, got ")
           << result.getElementType();
  if (!exact && width != 8)
    return emitOpError("average accumulation gives i8 averages, got ")
           << result.getElementType();
  if (exact && !ShapedType::isDynamic(c) && c * 255 > 65535)
    return emitOpError("16-bit sums of ") << c << " codebooks can overflow";
  return success();
}

#define GET_OP_CLASSES
#include "mmfree/Dialect/MMFree/IR/MMFreeOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Target and kernel attributes
//===----------------------------------------------------------------------===//

LogicalResult KernelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 KernelKind kind, KernelIsa isa,
                                 int64_t threads) {
  if (threads < 1 || threads > kMaxThreads)
    return emitError() << "threads must be in [1, " << kMaxThreads << "], got "
                       << threads;
  bool needsIsa = kind == KernelKind::Dots || kind == KernelKind::Lookup ||
                  kind == KernelKind::Shuffle;
  if (needsIsa && isa == KernelIsa::Generic)
    return emitError() << "kernel '" << stringifyKernelKind(kind)
                       << "' needs an x86 ISA (avx2, avxvnni or avx512)";
  if (kind == KernelKind::Select && isa != KernelIsa::Generic)
    return emitError() << "kernel 'select' is generic vector code";
  if ((kind == KernelKind::Tiles) != (isa == KernelIsa::Amx))
    return emitError() << "kernel 'tiles' and ISA 'amx' go together";
  if (isa == KernelIsa::AvxVnni && kind != KernelKind::Dots)
    return emitError() << "ISA 'avxvnni' names the dots kernel's VNNI form; "
                       << "kernel '" << stringifyKernelKind(kind)
                       << "' takes avx2";
  return success();
}

LogicalResult
CpuTargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      StringRef arch, StringRef features, int64_t threads,
                      int64_t l1d, int64_t l2) {
  if (threads < 1 || threads > kMaxThreads)
    return emitError() << "threads must be in [1, " << kMaxThreads << "], got "
                       << threads;
  for (auto [name, bytes] : {std::pair{"l1d", l1d}, std::pair{"l2", l2}})
    if (bytes != 0 && (bytes < kMinCacheBytes || bytes > kMaxCacheBytes))
      return emitError() << name << " must be 0 (not given) or in ["
                         << kMinCacheBytes << ", " << kMaxCacheBytes
                         << "] bytes, got " << bytes;
  SmallVector<StringRef> items;
  features.split(items, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef item : items)
    if (item.size() < 2 || (item[0] != '+' && item[0] != '-'))
      return emitError() << "feature '" << item
                         << "' must be '+name' or '-name'";
  return success();
}

bool CpuTargetAttr::hasFeature(StringRef name) const {
  bool enabled = false;
  SmallVector<StringRef> items;
  getFeatures().split(items, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef item : items)
    if (item.drop_front() == name)
      enabled = item[0] == '+';
  return enabled;
}

int64_t CpuTargetAttr::getVectorBits() const {
  return hasFeature("avx512f") ? 512 : hasFeature("avx2") ? 256 : 128;
}

int64_t CpuTargetAttr::getL1dBytes() const {
  return getL1d() ? getL1d() : kDefaultL1dBytes;
}

int64_t CpuTargetAttr::getL2Bytes() const {
  return getL2() ? getL2() : kDefaultL2Bytes;
}

LogicalResult
PackedTernaryAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                          int64_t rows, DenseI64ArrayAttr shifts,
                          DenseF32ArrayAttr values) {
  if (rows < 1)
    return emitError() << "rows must be positive, got " << rows;
  if (shifts.empty() || llvm::any_of(shifts.asArrayRef(), [](int64_t s) {
        return s < 0 || s > 6 || s % 2;
      }))
    return emitError() << "shifts must be one or more of 0, 2, 4, 6";
  if (values.size() != 4)
    return emitError() << "values must give the weight of each of the 4 "
                          "codes, got "
                       << values.size();
  return success();
}

LogicalResult MMFreeDialect::verifyRegionArgAttribute(Operation *op,
                                                      unsigned region,
                                                      unsigned index,
                                                      NamedAttribute attr) {
  if (attr.getName() != kPackedTernaryAttrName)
    return success();
  auto packing = dyn_cast<PackedTernaryAttr>(attr.getValue());
  if (!packing)
    return op->emitOpError() << "'" << kPackedTernaryAttrName
                             << "' must be a #mmfree.packed_ternary";
  // Tensors, then memrefs once bufferized; the LLVM lowering keeps the
  // attribute on the descriptor pointers of its C wrappers.
  Type type = op->getRegion(region).getArgument(index).getType();
  auto shaped = dyn_cast<ShapedType>(type);
  if (isa<LLVM::LLVMPointerType, LLVM::LLVMStructType>(type))
    return success();
  int64_t n = packing.getRows() * int64_t(packing.getShifts().size());
  if (!shaped || !shaped.hasRank() || shaped.getRank() != 3 ||
      shaped.getDimSize(0) != n ||
      shaped.getDimSize(2) != numerics::kBlockBytes ||
      ShapedType::isDynamic(shaped.getDimSize(1)) ||
      !shaped.getElementType().isSignlessInteger(8))
    return op->emitOpError()
           << "argument " << index << " with '" << kPackedTernaryAttrName
           << "' must be a tensor<" << n << "x?x" << numerics::kBlockBytes
           << "xi8> of packed weights, got " << type;
  return success();
}

LogicalResult MMFreeDialect::verifyOperationAttribute(Operation *op,
                                                      NamedAttribute attr) {
  if (attr.getName() == kTargetAttrName) {
    if (!isa<ModuleOp>(op))
      return op->emitOpError()
             << "'" << kTargetAttrName << "' belongs on a module";
    if (!isa<CpuTargetAttr>(attr.getValue()))
      return op->emitOpError()
             << "'" << kTargetAttrName << "' must be a #mmfree.cpu_target";
    return success();
  }
  if (attr.getName() == kKernelAttrName) {
    auto kernel = dyn_cast<KernelAttr>(attr.getValue());
    if (!kernel)
      return op->emitOpError()
             << "'" << kKernelAttrName << "' must be a #mmfree.kernel";
    KernelKind kind = kernel.getKind();
    bool ternary = kind == KernelKind::Select || kind == KernelKind::Dots ||
                   kind == KernelKind::Lookup || kind == KernelKind::Tiles;
    if (isa<TernaryMatmulOp>(op) ? !ternary : !isa<LutMatmulOp>(op) || ternary)
      return op->emitOpError()
             << "cannot take kernel '" << stringifyKernelKind(kind)
             << "' (ternary_matmul: select, dots, lookup or tiles; lut_matmul: "
                "loads or shuffle)";
    return success();
  }
  // Other discardable attributes (the GPU kernels' markers) are checked by
  // the passes that read them.
  return success();
}
