# A package whose C accelerator is optional (test/stress/subinterpreter-fallback.test).
try:
    from fbpkg._accel import double
except ImportError:
    from fbpkg._pure import double
