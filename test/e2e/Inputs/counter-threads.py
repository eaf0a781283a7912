#!/usr/bin/env python3
"""Creates and frees counter.Counter objects from 8 threads at once and
prints the module's statistics: python counter-threads.py BUILD_DIR.

On python3.13t with the GIL disabled the threads really run together, so a
counter updated with a plain '++' in the module state loses updates; with
gilport-global-state.AtomicCounters its fields are _Atomic and the counts
are exact:

  gil-enabled: False
  created: 80000 alive after: 0
"""

import gc
import sys
import threading

sys.path.insert(0, sys.argv[1])
import counter  # noqa: E402

THREADS, EACH = 8, 10000
gc.collect()
created, alive = counter.instances(), counter.alive()
barrier = threading.Barrier(THREADS)


def work():
    barrier.wait()
    for _ in range(EACH):
        counter.Counter(step=2).increment()


threads = [threading.Thread(target=work) for _ in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
gc.collect()
print("gil-enabled:", getattr(sys, "_is_gil_enabled", lambda: True)())
print("created:", counter.instances() - created,
      "alive after:", counter.alive() - alive)
