//===--- HeapTuning.cpp ---------------------------------------------------===//

#include "tool/HeapTuning.h"

#include <cstdint>
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace gilport {

void tuneHeapForAnalysis() {
#if defined(__GLIBC__)
  // Address space, not memory: a page is only backed once touched.
  constexpr size_t Reserve = size_t(512) << 20;
  constexpr uintptr_t HugePage = uintptr_t(2) << 20;
  // Large blocks from the heap too (up to glibc's cap), and nothing handed
  // back to be faulted in again: a process analyses a unit, then exits.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * Reserve));
  mallopt(M_TOP_PAD, static_cast<int>(Reserve));
  void *Start = sbrk(0);
  // One allocation larger than what start-up left at the top of the heap
  // makes it grow by Reserve at once; freed, the space stays. (volatile: a
  // compiler may drop an allocation that is only freed.)
  void *volatile Block = malloc(size_t(16) << 20);
  free(Block);
  void *End = sbrk(0);
  // Later growth in ordinary steps, so that a system that refused the
  // reservation (strict overcommit) is not asked for it again and again.
  mallopt(M_TOP_PAD, 1 << 20);
  if (Start == reinterpret_cast<void *>(-1) ||
      End == reinterpret_cast<void *>(-1))
    return;
  uintptr_t From =
      (reinterpret_cast<uintptr_t>(Start) + HugePage - 1) & ~(HugePage - 1);
  uintptr_t To = reinterpret_cast<uintptr_t>(End) & ~(HugePage - 1);
  if (To > From)
    madvise(reinterpret_cast<void *>(From), To - From, MADV_HUGEPAGE);
#endif
}

} // namespace gilport
