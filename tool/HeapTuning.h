//===--- HeapTuning.h - The allocator set up for one large parse -*- C++
//-*-===//
//
// Analysing a unit holds its whole AST: hundreds of megabytes of small
// allocations for a large generated file, made once and freed at exit. With
// glibc's defaults each 4 KB page of it is faulted in on its own, and memory
// freed at the top of the heap is handed back to the kernel and faulted in
// again; on a virtual machine that was a fifth of gilport's time on a
// 200,000-line file.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_TOOL_HEAPTUNING_H
#define GILPORT_TOOL_HEAPTUNING_H

namespace gilport {

/// Keeps the heap's memory once faulted in, and asks for transparent huge
/// pages for its first part where the kernel grants them on request
/// (`madvise` mode, Debian's default). Without glibc, or if any step is
/// refused, the allocator keeps its defaults: this only changes speed.
void tuneHeapForAnalysis();

} // namespace gilport

#endif
