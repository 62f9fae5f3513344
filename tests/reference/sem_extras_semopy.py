"""semopy 2.3's FIML on the ~10% MCAR Holzinger–Swineford data (uncentred), stored so a test can show
the defect without running semopy (about 100 s). Run from the repository root:
    python tests/reference/sem_extras_semopy.py
Writes tests/reference/sem_extras/semopy_fiml_hs_mcar.csv (lhs, op, rhs, est in lavaan's notation)."""
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import semopy

OUT = Path("tests/reference/sem_extras")
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
data = pd.read_csv(OUT / "hs_mcar.csv")[[f"x{i}" for i in range(1, 10)]]
warnings.simplefilter("ignore")
m = semopy.Model(MODEL)
m.fit(data, obj="FIML")
e = m.inspect().rename(columns={"lval": "lhs", "rval": "rhs", "Estimate": "est"})
flip = e["op"] == "~"          # semopy writes loadings as x1 ~ visual
e["lhs"], e["rhs"] = np.where(flip, e["rhs"], e["lhs"]), np.where(flip, e["lhs"], e["rhs"])
e.loc[flip, "op"] = "=~"
e[["lhs", "op", "rhs", "est"]].to_csv(OUT / "semopy_fiml_hs_mcar.csv", index=False)
print("semopy", semopy.__version__, "written")
