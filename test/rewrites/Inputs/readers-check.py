# Exercises the module of test/rewrites/heap-type-meth-method.c once fixed
# (run with its build directory first on sys.path).
import readers

r = readers.Reader()
print("read:", r.read(3), r.read(2))


class Sub(readers.Reader):
    pass


print("subclass read:", Sub().read(7))

for name, call in [("read", lambda: r.read()), ("rewind", lambda: Sub().rewind(1)),
                   ("fail", lambda: r.fail())]:
    try:
        call()
    except readers.ReadError as e:
        print("error from %s:" % name, type(e).__name__, e,
              type(e) is readers.ReadError)
