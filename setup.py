"""Build script for the optional compiled analysis core (everything else is in pyproject.toml).

``search.analysis._speedups`` is a plain C extension (CPython API only). It is optional:
without a C compiler or Python headers the build prints a warning, skips it and the package
runs on its pure-Python code, which produces identical output (docs/analysis.md).
"""
from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "search.analysis._speedups",
            sources=["search/analysis/_speedups.c"],
            optional=True,
        )
    ]
)
