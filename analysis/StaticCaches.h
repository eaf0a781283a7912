//===--- StaticCaches.h - Function-static C tables filled under a flag -*- C++
//-*-===//
//
// C extensions keep lookup tables in function statics, filled when a static
// flag says they are not filled yet:
//
//   static char count_table[256];
//   static int setup = -1;              /* endianness of the table */
//   if (setup != a->endian) {
//       setup_table(count_table, a->endian);
//       setup = a->endian;
//   }
//   ... count_table[c] ...
//
// Without the GIL two threads fill and read them at once. Two fixes:
//
// - When the flag is a key that changes (the endianness above), one thread
//   can refill the table while another reads it, so no lock around the fill
//   alone helps: the tables become automatic variables filled on every
//   call. A cache keyed by the flag holds what the fill computes for the
//   key, so each call reads what it read before.
// - When the flag is only ever set once (`if (!setup) {...; setup = 1;}`),
//   one static PyMutex around the fill is enough: the fill happens before
//   the unlock, and every reader locks first.
//
// Both hold when the filling `if` is a statement of the function's body
// that nothing jumps past, with no `else` and no exit from its branch; the
// flag is only tested and set there; the tables are only written there and
// only read after it; and the fill calls only functions of this file that
// use no global (or memset/memcpy). Such a fill runs no Python code, so a
// lock held around it cannot deadlock, and it computes the same tables for
// the same key.
//
//===----------------------------------------------------------------------===//

#ifndef GILPORT_ANALYSIS_STATICCACHES_H
#define GILPORT_ANALYSIS_STATICCACHES_H

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class BinaryOperator;
class CompoundStmt;
class IfStmt;
class VarDecl;
} // namespace clang

namespace gilport {

/// The fill of function-static tables under a static flag.
struct StaticCache {
  enum class FlagKind {
    /// Set to the key the tables were filled for, and refilled when the key
    /// changes.
    Key,
    /// Set once, to a constant.
    Once,
  };
  FlagKind Kind = FlagKind::Once;
  /// The `if` that fills the tables; null when there is none (Reason says
  /// why).
  const clang::IfStmt *Fill = nullptr;
  /// The function's body, which holds Fill.
  const clang::CompoundStmt *Body = nullptr;
  /// The flag, and its assignment, the last statement of Fill's branch.
  const clang::VarDecl *Flag = nullptr;
  const clang::BinaryOperator *FlagSet = nullptr;
  /// The statics the fill writes, in declaration order.
  std::vector<const clang::VarDecl *> Tables;
  /// Of those, the ones the fill is not shown to write whole (by memset or
  /// a loop over every element): as automatic variables they start zeroed,
  /// as the statics did.
  std::vector<const clang::VarDecl *> NotWrittenWhole;
  /// The static PyMutex locked by the statement right before a Once fill
  /// and unlocked right after it; null when the fill is not guarded. Every
  /// reader runs the fill's test, under the lock, before it reads.
  const clang::VarDecl *Mutex = nullptr;
  /// Why \p Var is not in this shape.
  std::string Reason;
  /// Whether an `if` of the function's body tests and sets a static flag
  /// and writes \p Var (the shape was meant, even if Reason rules it out).
  bool FlagFound = false;

  bool found() const { return Reason.empty() && Fill; }
};

/// How \p Var, a function-static variable of plain C data, is filled.
StaticCache findStaticCache(const clang::VarDecl &Var, clang::ASTContext &Ctx);

} // namespace gilport

#endif
