/*
 * gilport-shim: runtime half of gilport.
 *
 * One shared library with two roles.
 *
 * 1. LD_AUDIT library (loaded by ld.so into its own link-map namespace).
 *    python3.13t links libpython statically, so LD_PRELOAD cannot intercept
 *    an extension's calls into the executable; the audit interface can.
 *    la_objopen selects the objects named in $GILPORT_SHIM_TARGETS (the
 *    extension modules under test) and asks for their symbol bindings
 *    (LA_FLG_BINDFROM); la_symbind64 redirects their bindings of the
 *    borrowed-reference C-API functions to the wrappers below.  CPython's own
 *    calls are never redirected.  Each wrapper counts the call per call site
 *    (its return address) and decides whether the container it reads is
 *    shared between threads, then calls the real function.
 *
 *    Results go to a file mapped MAP_SHARED ($GILPORT_SHIM_OUT), so the
 *    harness reads them after the workload, even after a crash.  The layout
 *    is described in runtime-shim/harness/shimdata.py (keep both in sync);
 *    the harness reads the function names from gilport-shim-functions.json,
 *    generated with this file's list.
 *
 *    "Shared container": the container pointer was registered by the harness
 *    (an object that the harness's mutator threads change), or, on a
 *    free-threaded build, its owning thread (ob_tid, the thread that created
 *    it) is not the calling thread, or borrowed calls on it came from two or
 *    more threads (tracked per container pointer).  Functions without a
 *    container argument (PySys_GetObject, PyImport_AddModule, ...) read
 *    interpreter-wide dicts: they count as shared when the call site runs on
 *    two or more threads.
 *
 * 2. Crash helper, loaded a second time by the harness with ctypes into the
 *    normal namespace (gilport_crash_init): fatal-signal handlers that write
 *    the C stack (backtrace + dladdr) to a file before chaining to
 *    faulthandler, and a SIGUSR2 handler that writes the stack of the thread
 *    it interrupts (the harness's watchdog sends it to every thread of a
 *    hung child).  backtrace() must run in the namespace of the frames it
 *    walks, which is why this part is not done from the audit copy.
 *
 * No allocation and no locks in the wrappers: fixed open-addressing tables
 * updated with atomics.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/* ---- shared-memory layout (see harness/shimdata.py) ---- */
#define SHM_MAGIC 0x314d485350494c47ULL /* "GLIPSHM1" little-endian */
#define SHM_VERSION 1
#define HEADER_BYTES 8192
#define MAX_OBJECTS 8
#define OBJ_NAME_BYTES 248
#define OBJ_OFFSET 256
#define REG_OFFSET 2304
#define REG_SLOTS 512
#define SITE_SLOTS 4096
#define CONT_SLOTS 65536
#define PROBE_LIMIT 64
#define THREAD_OFFSET 6400
#define MAX_THREADS 64
/* Per-thread counters after the container table: [thread][site] of
   {calls, shared_calls}; each thread writes only its own lines. */

typedef struct {
  uint64_t magic, version, site_slots, cont_slots;
  uint64_t n_objects, n_registered, dropped_sites, dropped_containers;
  uint64_t free_threaded, total_calls, reserved[22];
} shm_header;

typedef struct {
  uint64_t load_bias;
  char name[OBJ_NAME_BYTES];
} shm_object;

typedef struct {
  uint64_t ret;          /* return address in the module under test */
  uint64_t fn;           /* function index + 1 */
  uint64_t calls;        /* all calls from this site */
  uint64_t shared_calls; /* calls on a container shared between threads */
  uint64_t thread1, thread2; /* first two distinct calling threads */
  uint64_t sample;       /* a shared container seen at this site */
  uint64_t object;       /* index of the object (target) + 1 */
} shm_site;

typedef struct {
  uint64_t addr;
  uint64_t threads[4];
  uint64_t reserved[3];
} shm_cont;

static unsigned char *shm;
static shm_header *hdr;
static shm_site *sites;
static shm_cont *conts;
static uint64_t *registered;
static uint64_t *thread_ids;
static uint64_t *thread_counts;
static int free_threaded;

/* ---- the intercepted functions ----
   The list is generated at build time from analysis/BorrowedApis.cpp (the
   public functions there, each with its ShimSlot): gilport_shim_functions.inc
   holds one GILPORT_SHIM_FUNCTION(name) per function, in the order of the
   shared-memory file (a site's `fn` is the index here + 1).  Each name needs a
   wrapper w_<name> below: a missing one stops the build. */
enum {
#define GILPORT_SHIM_FUNCTION(name) F_##name,
#include "gilport_shim_functions.inc"
  F_COUNT
};

static const char *const fn_names[F_COUNT] = {
#define GILPORT_SHIM_FUNCTION(name) #name,
#include "gilport_shim_functions.inc"
};

static void *real_fn[F_COUNT];

static inline uint64_t self_thread(void) {
#if defined(__x86_64__)
  /* The same value CPython's _Py_ThreadId() stores in ob_tid. */
  uint64_t tid;
  __asm__("movq %%fs:0, %0" : "=r"(tid));
  return tid;
#elif defined(__aarch64__)
  uint64_t tid;
  __asm__("mrs %0, tpidr_el0" : "=r"(tid));
  return tid;
#else
  return (uint64_t)syscall(SYS_gettid);
#endif
}

static inline uint64_t hash64(uint64_t v) {
  return (v >> 3) * 0x9E3779B97F4A7C15ULL;
}

static shm_site *site_for(uint64_t ret, int fn, int object) {
  uint64_t i = hash64(ret) >> (64 - 12); /* SITE_SLOTS == 1 << 12 */
  for (int probe = 0; probe < PROBE_LIMIT; probe++) {
    shm_site *s = &sites[(i + probe) & (SITE_SLOTS - 1)];
    uint64_t cur = __atomic_load_n(&s->ret, __ATOMIC_ACQUIRE);
    if (cur == ret)
      return s;
    if (cur == 0) {
      uint64_t expected = 0;
      if (__atomic_compare_exchange_n(&s->ret, &expected, ret, 0,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&s->fn, (uint64_t)fn + 1, __ATOMIC_RELEASE);
        __atomic_store_n(&s->object, (uint64_t)object, __ATOMIC_RELEASE);
        return s;
      }
      if (expected == ret)
        return s;
    }
  }
  __atomic_fetch_add(&hdr->dropped_sites, 1, __ATOMIC_RELAXED);
  return NULL;
}

/* Adds `self` to a small set of thread ids; returns how many distinct
   threads the set holds (saturating at its size). */
static int note_thread(uint64_t *set, int n, uint64_t self) {
  for (int k = 0; k < n; k++) {
    uint64_t cur = __atomic_load_n(&set[k], __ATOMIC_ACQUIRE);
    if (cur == self)
      goto count;
    if (cur == 0) {
      uint64_t expected = 0;
      if (__atomic_compare_exchange_n(&set[k], &expected, self, 0,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
          expected == self)
        goto count;
    }
  }
count:;
  int distinct = 0;
  for (int k = 0; k < n; k++)
    if (__atomic_load_n(&set[k], __ATOMIC_ACQUIRE))
      distinct++;
  return distinct;
}

static int is_registered(uint64_t addr) {
  if (__atomic_load_n(&hdr->n_registered, __ATOMIC_ACQUIRE) == 0)
    return 0;
  uint64_t i = hash64(addr) >> (64 - 9); /* REG_SLOTS == 1 << 9 */
  for (int probe = 0; probe < REG_SLOTS; probe++) {
    uint64_t cur = registered[(i + probe) & (REG_SLOTS - 1)];
    if (cur == addr)
      return 1;
    if (cur == 0)
      return 0;
  }
  return 0;
}

static int container_threads(uint64_t addr, uint64_t self) {
  uint64_t i = hash64(addr) >> (64 - 16); /* CONT_SLOTS == 1 << 16 */
  for (int probe = 0; probe < PROBE_LIMIT; probe++) {
    shm_cont *c = &conts[(i + probe) & (CONT_SLOTS - 1)];
    uint64_t cur = __atomic_load_n(&c->addr, __ATOMIC_ACQUIRE);
    if (cur == 0) {
      uint64_t expected = 0;
      if (!__atomic_compare_exchange_n(&c->addr, &expected, addr, 0,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) &&
          expected != addr)
        continue;
      cur = addr;
    }
    if (cur == addr)
      return note_thread(c->threads, 4, self);
  }
  __atomic_fetch_add(&hdr->dropped_containers, 1, __ATOMIC_RELAXED);
  return 1;
}

static int container_shared(const void *container, uint64_t self) {
  uint64_t addr = (uint64_t)(uintptr_t)container;
  if (is_registered(addr))
    return 1;
  if (free_threaded) {
    /* PyObject on a free-threaded build starts with ob_tid: the owning
       thread, or 0 once the object's reference counts were merged. */
    uint64_t owner = __atomic_load_n((const uint64_t *)container,
                                     __ATOMIC_RELAXED);
    if (owner != 0)
      return owner != self;
  }
  return container_threads(addr, self) >= 2;
}

/* Index of the calling thread in the thread table, or -1 when it is full. */
static int thread_index(uint64_t self) {
  uint64_t i = hash64(self) >> (64 - 6); /* MAX_THREADS == 1 << 6 */
  for (int probe = 0; probe < MAX_THREADS; probe++) {
    int k = (int)((i + probe) & (MAX_THREADS - 1));
    uint64_t cur = __atomic_load_n(&thread_ids[k], __ATOMIC_ACQUIRE);
    if (cur == self)
      return k;
    if (cur == 0) {
      uint64_t expected = 0;
      if (__atomic_compare_exchange_n(&thread_ids[k], &expected, self, 0,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
          expected == self)
        return k;
    }
  }
  return -1;
}

/* Counts without contended atomics: a thread's own counters, or the
   site's shared counters for threads beyond the table. */
static inline void bump(shm_site *s, int tidx, int which) {
  if (tidx >= 0) {
    uint64_t *c = &thread_counts[((size_t)tidx * SITE_SLOTS + (size_t)(s - sites)) * 2 + which];
    __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
  } else {
    __atomic_fetch_add(which ? &s->shared_calls : &s->calls, 1, __ATOMIC_RELAXED);
  }
}

static void note_call(int fn, void *ret, const void *container) {
  if (!hdr)
    return;
  /* The object index is resolved by the harness from the address. */
  shm_site *s = site_for((uint64_t)(uintptr_t)ret, fn, 0);
  if (!s)
    return;
  uint64_t self = self_thread();
  int tidx = thread_index(self);
  bump(s, tidx, 0);
  int site_threads = note_thread(&s->thread1, 2, self);
  int shared = container ? container_shared(container, self)
                         : site_threads >= 2;
  if (shared) {
    bump(s, tidx, 1);
    if (container && __atomic_load_n(&s->sample, __ATOMIC_RELAXED) == 0)
      __atomic_store_n(&s->sample, (uint64_t)(uintptr_t)container,
                       __ATOMIC_RELAXED);
  }
}

/* ---- wrappers: same signature as the C API function ---- */
typedef void *obj;
#define RET __builtin_return_address(0)
#define REAL(name, type) ((type)real_fn[F_##name])

static obj w_PyList_GetItem(obj list, intptr_t i) {
  note_call(F_PyList_GetItem, RET, list);
  return REAL(PyList_GetItem, obj (*)(obj, intptr_t))(list, i);
}
static obj w_PyDict_GetItem(obj d, obj k) {
  note_call(F_PyDict_GetItem, RET, d);
  return REAL(PyDict_GetItem, obj (*)(obj, obj))(d, k);
}
static obj w_PyDict_GetItemWithError(obj d, obj k) {
  note_call(F_PyDict_GetItemWithError, RET, d);
  return REAL(PyDict_GetItemWithError, obj (*)(obj, obj))(d, k);
}
static obj w_PyDict_GetItemString(obj d, const char *k) {
  note_call(F_PyDict_GetItemString, RET, d);
  return REAL(PyDict_GetItemString, obj (*)(obj, const char *))(d, k);
}
static obj w_PyDict_SetDefault(obj d, obj k, obj v) {
  note_call(F_PyDict_SetDefault, RET, d);
  return REAL(PyDict_SetDefault, obj (*)(obj, obj, obj))(d, k, v);
}
static obj w_PyWeakref_GetObject(obj ref) {
  note_call(F_PyWeakref_GetObject, RET, ref);
  return REAL(PyWeakref_GetObject, obj (*)(obj))(ref);
}
static obj w_PyImport_AddModule(const char *name) {
  note_call(F_PyImport_AddModule, RET, NULL);
  return REAL(PyImport_AddModule, obj (*)(const char *))(name);
}
static obj w_PyImport_AddModuleObject(obj name) {
  note_call(F_PyImport_AddModuleObject, RET, NULL);
  return REAL(PyImport_AddModuleObject, obj (*)(obj))(name);
}
static obj w_PySys_GetObject(const char *name) {
  note_call(F_PySys_GetObject, RET, NULL);
  return REAL(PySys_GetObject, obj (*)(const char *))(name);
}
static obj w_PyEval_GetGlobals(void) {
  note_call(F_PyEval_GetGlobals, RET, NULL);
  return REAL(PyEval_GetGlobals, obj (*)(void))();
}
static obj w_PyEval_GetLocals(void) {
  note_call(F_PyEval_GetLocals, RET, NULL);
  return REAL(PyEval_GetLocals, obj (*)(void))();
}
static obj w_PyEval_GetBuiltins(void) {
  note_call(F_PyEval_GetBuiltins, RET, NULL);
  return REAL(PyEval_GetBuiltins, obj (*)(void))();
}
static obj w_PyEval_GetFrame(void) {
  note_call(F_PyEval_GetFrame, RET, NULL);
  return REAL(PyEval_GetFrame, obj (*)(void))();
}
static obj w_PyState_FindModule(obj def) {
  note_call(F_PyState_FindModule, RET, NULL);
  return REAL(PyState_FindModule, obj (*)(obj))(def);
}

static void *const wrappers[F_COUNT] = {
#define GILPORT_SHIM_FUNCTION(name) (void *)w_##name,
#include "gilport_shim_functions.inc"
};

/* ---- audit interface ---- */
static const char *targets; /* ':'-separated paths or basenames */

static int path_is_target(const char *path) {
  if (!targets || !path || !*path)
    return 0;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *p = targets;
  while (*p) {
    const char *end = strchr(p, ':');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len) {
      const char *cmp = memchr(p, '/', len) ? path : base;
      if (strlen(cmp) == len && memcmp(cmp, p, len) == 0)
        return 1;
    }
    if (!end)
      break;
    p = end + 1;
  }
  return 0;
}

static void map_output(void) {
  const char *out = getenv("GILPORT_SHIM_OUT");
  if (!out || !*out)
    return;
  size_t size = HEADER_BYTES + sizeof(shm_site) * SITE_SLOTS +
                sizeof(shm_cont) * CONT_SLOTS +
                sizeof(uint64_t) * 2 * SITE_SLOTS * MAX_THREADS;
  int fd = open(out, O_RDWR | O_CREAT, 0600);
  if (fd < 0)
    return;
  if (lseek(fd, 0, SEEK_END) < (off_t)size && ftruncate(fd, size) != 0) {
    close(fd);
    return;
  }
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED)
    return;
  shm = p;
  hdr = (shm_header *)shm;
  registered = (uint64_t *)(shm + REG_OFFSET);
  sites = (shm_site *)(shm + HEADER_BYTES);
  conts = (shm_cont *)(shm + HEADER_BYTES + sizeof(shm_site) * SITE_SLOTS);
  thread_ids = (uint64_t *)(shm + THREAD_OFFSET);
  thread_counts = (uint64_t *)(shm + HEADER_BYTES + sizeof(shm_site) * SITE_SLOTS +
                               sizeof(shm_cont) * CONT_SLOTS);
  const char *ft = getenv("GILPORT_SHIM_FREE_THREADED");
  free_threaded = ft && *ft == '1';
  hdr->version = SHM_VERSION;
  hdr->site_slots = SITE_SLOTS;
  hdr->cont_slots = CONT_SLOTS;
  hdr->free_threaded = (uint64_t)free_threaded;
  __atomic_store_n(&hdr->magic, SHM_MAGIC, __ATOMIC_RELEASE);
}

EXPORT unsigned int la_version(unsigned int version) {
  targets = getenv("GILPORT_SHIM_TARGETS");
  map_output();
  return version < LAV_CURRENT ? version : LAV_CURRENT;
}

EXPORT unsigned int la_objopen(struct link_map *map, Lmid_t lmid,
                               uintptr_t *cookie) {
  *cookie = 0;
  if (lmid == LM_ID_BASE && hdr && path_is_target(map->l_name)) {
    uint64_t n = hdr->n_objects;
    if (n < MAX_OBJECTS) {
      shm_object *o = (shm_object *)(shm + OBJ_OFFSET) + n;
      o->load_bias = (uint64_t)map->l_addr;
      strncpy(o->name, map->l_name, OBJ_NAME_BYTES - 1);
      __atomic_store_n(&hdr->n_objects, n + 1, __ATOMIC_RELEASE);
      *cookie = n + 1;
      return LA_FLG_BINDTO | LA_FLG_BINDFROM;
    }
  }
  return LA_FLG_BINDTO;
}

EXPORT uintptr_t la_symbind64(Elf64_Sym *sym, unsigned int ndx,
                              uintptr_t *refcook, uintptr_t *defcook,
                              unsigned int *flags, const char *symname) {
  (void)ndx;
  (void)defcook;
  /* No la_pltenter/la_pltexit: let ld.so bind the PLT slot directly
     instead of routing every call through its profiling trampoline. */
  *flags |= LA_SYMB_NOPLTENTER | LA_SYMB_NOPLTEXIT;
  if (*refcook != 0 && symname && symname[0] == 'P' && symname[1] == 'y') {
    for (int i = 0; i < F_COUNT; i++) {
      if (strcmp(symname, fn_names[i]) == 0) {
        real_fn[i] = (void *)(uintptr_t)sym->st_value;
        return (uintptr_t)wrappers[i];
      }
    }
  }
  return sym->st_value;
}

/* Lets the harness check that the wrappers are the ones in use. */
EXPORT const char *gilport_shim_function_name(int i) {
  return i >= 0 && i < F_COUNT ? fn_names[i] : NULL;
}

/* ---- crash helper (normal namespace, via ctypes) ---- */
static int crash_fd = -1;
static struct sigaction previous[65];
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static void write_stack(const char *tag, int sig) {
  char buf[16384];
  size_t len = 0;
  void *frames[96];
  int n = backtrace(frames, 96);
  len += (size_t)snprintf(buf + len, sizeof buf - len, "%s sig=%d tid=%ld\n",
                          tag, sig, (long)syscall(SYS_gettid));
  for (int i = 0; i < n && len < sizeof buf - 600; i++) {
    Dl_info info;
    memset(&info, 0, sizeof info);
    dladdr(frames[i], &info);
    len += (size_t)snprintf(
        buf + len, sizeof buf - len, "F %p %p %s %s\n", frames[i],
        info.dli_fbase, info.dli_fname && *info.dli_fname ? info.dli_fname : "?",
        info.dli_sname ? info.dli_sname : "?");
  }
  len += (size_t)snprintf(buf + len, sizeof buf - len, "END\n");
  if (crash_fd >= 0 && write(crash_fd, buf, len) < 0) {
    /* nothing more to do in a signal handler */
  }
}

static long first_crash_tid;
static int parked_threads;

/* Sends SIGUSR2 to every other thread of the process and waits (at most a
   second) until each has parked in on_dump.  faulthandler's handler resets the
   signal to its default before it writes, so a second thread faulting while
   it writes would end the process half-way through the Python stacks. */
static void park_other_threads(void) {
  long self = (long)syscall(SYS_gettid);
  pid_t pid = getpid();
  int dir = open("/proc/self/task", O_RDONLY | O_DIRECTORY);
  if (dir < 0)
    return;
  char buf[4096];
  int sent = 0;
  long n;
  while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
    for (long pos = 0; pos < n;) {
      struct linux_dirent64 {
        uint64_t ino;
        int64_t off;
        unsigned short reclen;
        unsigned char type;
        char name[];
      } *d = (struct linux_dirent64 *)(buf + pos);
      long tid = 0;
      for (const char *c = d->name; *c >= '0' && *c <= '9'; c++)
        tid = tid * 10 + (*c - '0');
      if (tid > 0 && tid != self && syscall(SYS_tgkill, pid, tid, SIGUSR2) == 0)
        sent++;
      pos += d->reclen;
    }
  }
  close(dir);
  struct timespec pause_1ms = {0, 1000000};
  for (int i = 0;
       i < 1000 && __atomic_load_n(&parked_threads, __ATOMIC_ACQUIRE) < sent;
       i++)
    nanosleep(&pause_1ms, NULL);
}

static void on_fatal(int sig, siginfo_t *info, void *ctx) {
  (void)info;
  (void)ctx;
  /* Threads that fault at the same time (four threads running one crashing
     test) would interleave their reports and faulthandler's: the first one
     reports and ends the process; the others wait for that. */
  long self = (long)syscall(SYS_gettid), none = 0;
  if (!__atomic_compare_exchange_n(&first_crash_tid, &none, self, 0,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) &&
      none != self) {
    for (;;)
      pause();
  }
  write_stack("CRASH", sig);
  park_other_threads();
  /* Chain: the previous handler is faulthandler's, which prints the Python
     stacks and then dies with the signal. */
  sigaction(sig, &previous[sig], NULL);
  raise(sig);
}

static void on_dump(int sig, siginfo_t *info, void *ctx) {
  (void)info;
  (void)ctx;
  long crashed = __atomic_load_n(&first_crash_tid, __ATOMIC_ACQUIRE);
  if (crashed && crashed != (long)syscall(SYS_gettid)) {
    /* Asked by park_other_threads: stay here until the process ends. */
    __atomic_add_fetch(&parked_threads, 1, __ATOMIC_ACQ_REL);
    for (;;)
      pause();
  }
  write_stack("STACK", sig);
}

EXPORT int gilport_crash_init(const char *path) {
  crash_fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (crash_fd < 0)
    return -1;
  void *warm[4];
  backtrace(warm, 4); /* loads libgcc_s now, not in a signal handler */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fatal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++)
    sigaction(fatal_signals[i], &sa, &previous[fatal_signals[i]]);
  sa.sa_sigaction = on_dump;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGUSR2, &sa, NULL);
  return 0;
}
