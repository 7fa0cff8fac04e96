// Jest's node environment with the process's own typed-array constructors. onnxruntime-node's native
// addon creates its output tensors' arrays in Node's realm, and onnxruntime-common checks them with
// `instanceof Float32Array` in the test's realm, which fails ("A float32 tensor's data must be type
// of function Float32Array()"). Test files that run ONNX models select this environment with
// `@jest-environment ./test/support/native-typed-arrays-environment.js` (path from the repo root).
const { TestEnvironment } = require('jest-environment-node');

class NativeTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of [
      'ArrayBuffer',
      'Float32Array',
      'Float64Array',
      'Int8Array',
      'Int16Array',
      'Int32Array',
      'BigInt64Array',
      'BigUint64Array',
      'Uint8Array',
      'Uint16Array',
      'Uint32Array',
      'Uint8ClampedArray',
    ]) {
      this.global[name] = globalThis[name];
    }
  }
}

module.exports = NativeTypedArraysEnvironment;
