"""Every ``>>>`` example in core/ runs and gives what its docstring says."""

import doctest
import importlib
import pkgutil

import pytest

import core

MODULES = sorted(info.name for info in pkgutil.iter_modules(core.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"core.{name}")
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0
