//===--- MutexGuardsTest.cpp - Data only touched under one PyMutex --------===//

#include "analysis/MutexGuards.h"

#include "analysis/UnitFacts.h"

#include "AnalysisTestSupport.h"

#include "gtest/gtest.h"

using namespace clang;
using namespace gilport;
using namespace gilport::testing;

namespace {

// 3.13's lock.h declares PyMutex_Lock and PyMutex_Unlock as macros naming
// inline functions; plain prototypes are enough for the analysis.
const char Prelude[] = R"c(
typedef struct { unsigned char _bits; } PyMutex;
void PyMutex_Lock(PyMutex *m);
void PyMutex_Unlock(PyMutex *m);
static PyMutex lock_a = {0};
static PyMutex lock_b = {0};
)c";

/// Whether alwaysUnderOneLock() answers that static `counter` in \p Code is
/// guarded.
bool guarded(llvm::StringRef Code, llvm::StringRef Name = "counter") {
  std::unique_ptr<ASTUnit> AST = parseC(std::string(Prelude) + Code.str());
  if (!AST)
    return false;
  ASTContext &Ctx = AST->getASTContext();
  const VarDecl *Var = variable(Ctx, Name);
  if (!Var)
    return false;
  UnitFacts Facts;
  Facts.setSourceManager(&Ctx.getSourceManager(), &Ctx.getLangOpts());
  const VarDecl *Vars[] = {Var};
  return alwaysUnderOneLock(Vars, Ctx, Facts).contains(Var);
}

TEST(MutexGuards, EveryUseBetweenLockAndUnlockIsGuarded) {
  EXPECT_TRUE(guarded(R"c(
    static long counter = 0;
    long bump(void) {
      long seen;
      PyMutex_Lock(&lock_a);
      counter++;
      seen = counter;
      PyMutex_Unlock(&lock_a);
      return seen;
    }
    void reset(void) {
      PyMutex_Lock(&lock_a);
      counter = 0;
      PyMutex_Unlock(&lock_a);
    })c"));
}

TEST(MutexGuards, UseAfterUnlockIsNot) {
  EXPECT_FALSE(guarded(R"c(
    static long counter = 0;
    long bump(void) {
      PyMutex_Lock(&lock_a);
      counter++;
      PyMutex_Unlock(&lock_a);
      return counter;
    })c"));
}

TEST(MutexGuards, UseBeforeLockIsNot) {
  EXPECT_FALSE(guarded(R"c(
    static long counter = 0;
    void bump(void) {
      counter++;
      PyMutex_Lock(&lock_a);
      PyMutex_Unlock(&lock_a);
    })c"));
}

TEST(MutexGuards, TwoDifferentMutexesAreNot) {
  EXPECT_FALSE(guarded(R"c(
    static long counter = 0;
    void bump(void) {
      PyMutex_Lock(&lock_a);
      counter++;
      PyMutex_Unlock(&lock_a);
    }
    void reset(void) {
      PyMutex_Lock(&lock_b);
      counter = 0;
      PyMutex_Unlock(&lock_b);
    })c"));
}

// Both held at every use: lock_a is common to all of them.
TEST(MutexGuards, NestedLocksKeepTheCommonOne) {
  EXPECT_TRUE(guarded(R"c(
    static long counter = 0;
    void bump(void) {
      PyMutex_Lock(&lock_a);
      PyMutex_Lock(&lock_b);
      counter++;
      PyMutex_Unlock(&lock_b);
      PyMutex_Unlock(&lock_a);
    }
    void reset(void) {
      PyMutex_Lock(&lock_a);
      counter = 0;
      PyMutex_Unlock(&lock_a);
    })c"));
}

TEST(MutexGuards, EarlyUnlockThatReturnsKeepsTheRegion) {
  EXPECT_TRUE(guarded(R"c(
    static long counter = 0;
    int bump(int limit) {
      PyMutex_Lock(&lock_a);
      if (counter >= limit) {
        PyMutex_Unlock(&lock_a);
        return -1;
      }
      counter++;
      PyMutex_Unlock(&lock_a);
      return 0;
    })c"));
  // Without the return, control goes on unlocked.
  EXPECT_FALSE(guarded(R"c(
    static long counter = 0;
    void bump(int limit) {
      PyMutex_Lock(&lock_a);
      if (counter >= limit)
        PyMutex_Unlock(&lock_a);
      counter++;
    })c"));
}

TEST(MutexGuards, HelperThatUnlocksEndsTheRegion) {
  EXPECT_FALSE(guarded(R"c(
    static long counter = 0;
    static void release(void) { PyMutex_Unlock(&lock_a); }
    void bump(void) {
      PyMutex_Lock(&lock_a);
      release();
      counter++;
    })c"));
}

TEST(MutexGuards, LoopThatUnlocksEndsTheRegionForItsBody) {
  EXPECT_FALSE(guarded(R"c(
    static long counter = 0;
    void bump(int n) {
      PyMutex_Lock(&lock_a);
      for (int i = 0; i < n; i++) {
        counter++;
        PyMutex_Unlock(&lock_a);
      }
    })c"));
}

// A goto can arrive from outside the region; a case keeps what the switch
// was entered with.
TEST(MutexGuards, LabelsAndCases) {
  EXPECT_FALSE(guarded(R"c(
    static long counter = 0;
    void bump(int c) {
      if (c)
        goto done;
      PyMutex_Lock(&lock_a);
    done:
      counter++;
      PyMutex_Unlock(&lock_a);
    })c"));
  EXPECT_TRUE(guarded(R"c(
    static long counter = 0;
    void bump(int kind) {
      PyMutex_Lock(&lock_a);
      switch (kind) {
      case 0:
        counter++;
        break;
      default:
        counter--;
        break;
      }
      PyMutex_Unlock(&lock_a);
    })c"));
}

// Other code could unlock a mutex it can name.
TEST(MutexGuards, MutexOtherCodeCanReachIsNot) {
  EXPECT_FALSE(guarded(R"c(
    PyMutex shared_lock = {0};
    static long counter = 0;
    void bump(void) {
      PyMutex_Lock(&shared_lock);
      counter++;
      PyMutex_Unlock(&shared_lock);
    })c"));
  EXPECT_FALSE(guarded(R"c(
    void hand_out(PyMutex *);
    static long counter = 0;
    void bump(void) {
      PyMutex_Lock(&lock_a);
      counter++;
      PyMutex_Unlock(&lock_a);
    }
    void leak(void) { hand_out(&lock_a); })c"));
}

TEST(MutexGuards, VariablesOthersCanReachAreNot) {
  // Its address may be used where no lock is held.
  EXPECT_FALSE(guarded(R"c(
    static long counter = 0;
    long *where(void) {
      long *p;
      PyMutex_Lock(&lock_a);
      p = &counter;
      PyMutex_Unlock(&lock_a);
      return p;
    })c"));
  // Other translation units can write an exported variable.
  EXPECT_FALSE(guarded(R"c(
    long counter = 0;
    void bump(void) {
      PyMutex_Lock(&lock_a);
      counter++;
      PyMutex_Unlock(&lock_a);
    })c"));
  // Not a scalar.
  EXPECT_FALSE(guarded(R"c(
    static struct { long n; } counter;
    void bump(void) {
      PyMutex_Lock(&lock_a);
      counter.n++;
      PyMutex_Unlock(&lock_a);
    })c"));
}

TEST(MutexGuards, IsMutexLockCall) {
  std::unique_ptr<ASTUnit> AST = parseC(std::string(Prelude) + R"c(
    void f(void) {
      PyMutex_Lock(&lock_a);
      PyMutex_Unlock(&lock_a);
    })c");
  ASSERT_TRUE(AST);
  const FunctionDecl *F = function(AST->getASTContext(), "f");
  ASSERT_TRUE(F);
  EXPECT_TRUE(isMutexLockCall(*callsIn(*F, "PyMutex_Lock").front()));
  EXPECT_FALSE(isMutexLockCall(*callsIn(*F, "PyMutex_Unlock").front()));
}

} // namespace
