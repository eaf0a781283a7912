def double(x):
    """A doctest is run once, as pytest runs it.

    >>> double(2)
    4
    """
    return 2 * x
