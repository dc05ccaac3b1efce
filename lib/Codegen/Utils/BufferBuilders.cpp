//===- BufferBuilders.cpp - kernels on buffers inside tensor code ---------===//

#include "mmfree/Codegen/Utils/BufferBuilders.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

Value mmfree::readOnlyBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

Value mmfree::resultBuffer(OpBuilder &b, Location loc, RankedTensorType type,
                           ValueRange dynamicSizes) {
  return memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()),
      dynamicSizes, b.getI64IntegerAttr(64));
}

Value mmfree::resultTensor(OpBuilder &b, Location loc, Type type,
                           Value buffer) {
  return bufferization::ToTensorOp::create(b, loc, type, buffer,
                                           b.getUnitAttr(), b.getUnitAttr());
}
