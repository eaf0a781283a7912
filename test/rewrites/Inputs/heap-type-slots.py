"""Exercises the heap types of heap-type-slots.c once converted."""
import sys
import weakref

sys.path.insert(0, sys.argv[1])
import slots  # noqa: E402

v = slots.Vec(3)
print("heap:", bool(type(v).__flags__ & (1 << 9)))
print("add:", (v + slots.Vec(4)).__len__(), len(v + slots.Vec(4)))
try:
    None + v
except TypeError:
    print("reflected: TypeError")
print("neg:", len(-slots.Vec(-2)))
print("subscript:", v[5])
print("weakref:", weakref.ref(v)() is v)
print("classmethod:", slots.Vec.is_base(), type("Sub", (slots.Vec,), {}).is_base())
print("holds:", slots.Vec.holds(v), slots.Vec.holds(3))
print("staticmethod:", slots.Vec.answer())
print("type_name:", v.type_name())
d = slots.CountingDict()
d["a"] = 1
d["b"] = 2
print("dict:", isinstance(d, dict), d.sets, sorted(d))
