# Exercises the module of test/rewrites/module-state-atomic.c once fixed:
# python hits-check.py BUILD_DIR. 8 threads record 1000 events each; on
# python3.13t with the GIL disabled they run at once, and the atomic
# counters must not lose an update.
import sys
import threading

sys.path.insert(0, sys.argv[1])
import hits  # noqa: E402

hits.record(2)
hits.record(3)
hits.bump()
print("counts:", hits.counts())

barrier = threading.Barrier(8)


def work():
    barrier.wait()
    for _ in range(1000):
        hits.record(1)


threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads:", hits.counts())
