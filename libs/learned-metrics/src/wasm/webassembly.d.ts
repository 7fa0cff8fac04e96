// The part of the WebAssembly JavaScript API that pil-resize.ts uses. Node has it globally, but
// @types/node 20 does not declare it and the DOM library (which does) is not in this project's lib.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}
