// RUN: %check_gilport %s gilport-global-state %t
// RUN: %check_gilport %s gilport-global-state %t.311 -- --python=%python_gil

// C++ extensions: references, member functions, static members, templates.

#include <Python.h>

#include <atomic>
#include <mutex>
#include <string>

struct Point : PyObject {
  double x, y;
};

static Point *last_point;
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: global Python object pointer 'last_point' is shared by all interpreters and threads; move it to the module state [gilport-global-state]

namespace {
std::string last_error;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'last_error' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
void set_error(const char *text) {
  last_error.assign(text);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'last_error' is modified here
}
} // namespace

static long total;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: global variable 'total' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static void add_to(long &sum, long n) { sum += n; }
static void add(long n) {
  add_to(total, n);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: note: 'total' may be modified through the reference passed here
}

struct Registry {
  static PyObject *instances;
  static int count;
};
PyObject *Registry::instances = nullptr;
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: static member Python object pointer 'instances' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
int Registry::count;
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: static member variable 'count' is modified at run time and shared by all interpreters and threads, a data race without the GIL; move it to the module state, or guard it with a 'PyMutex' or atomics [gilport-global-state]
static void registered() {
  ++Registry::count;
  // CHECK-MESSAGES: :[[@LINE-1]]:15: note: 'count' is modified here
}

// One finding for the pattern, none per instantiation.
template <typename T> PyObject *cached_type_name() {
  static PyObject *name;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: function-static Python object pointer 'name' is shared by all interpreters and threads; move it to the module state [gilport-global-state]
  if (!name)
    name = PyUnicode_FromString(typeid(T).name());
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: 'name' is modified here
  return name;
}

// Not findings.
static std::atomic<long> atomic_hits;
static std::mutex state_mutex;
static std::once_flag init_once;
thread_local std::string per_thread_text;
static const std::string label = "label";
constexpr int limit = 10;

static void not_findings() {
  atomic_hits++;
  std::lock_guard<std::mutex> lock(state_mutex);
  std::call_once(init_once, [] {});
  per_thread_text = label;
  (void)limit;
  (void)cached_type_name<int>();
  (void)cached_type_name<double>();
  set_error("x");
  add(1);
  registered();
}
