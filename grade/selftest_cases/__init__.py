"""selftest_cases: deliberately broken kernels per lab, for grade/selftest.py.

Each labN module defines CASES, a list of selftest.Case: literal search/replace
patches that break one piece of a lab's solution, and the verdict the grader
must then give to a test that catches it.
"""
