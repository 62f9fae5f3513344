"""Every name a module lists in ``__all__`` exists (``from cem_edu.x import *`` never fails), and the
privacy step checks its columns (a name the merge of the validation module had left undefined)."""
import importlib
import pkgutil

import pandas as pd
import pytest

import cem_edu
from cem_edu.errors import DataError

MODULES = sorted(m.name for m in pkgutil.walk_packages(cem_edu.__path__, "cem_edu.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist(name):
    mod = importlib.import_module(name)
    missing = [n for n in getattr(mod, "__all__", ()) if not hasattr(mod, n)]
    assert not missing, f"{name}.__all__ lists undefined names {missing}"


def test_pseudonymize_names_a_missing_column():
    from cem_edu.intake.privacy import pseudonymize

    df = pd.DataFrame({"email": ["a@b.ir", "c@d.ir"], "SAT1": [3, 4]})
    with pytest.raises(DataError, match="emial"):
        pseudonymize(df, columns=["emial"])
