"""Prints the C include directory of the interpreter that runs it."""
import sysconfig

print(sysconfig.get_paths()["include"])
