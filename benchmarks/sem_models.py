"""Models and data of the SEM benchmarks (shared by run.py and the lavaan script)."""
from __future__ import annotations

import numpy as np
import pandas as pd

HS_MODEL = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"""

# a 20-indicator, 6-factor CEM model: experience dimensions -> satisfaction -> loyalty / purchase intent
CEM_POPULATION = """functional =~ 0.75*fun1 + 0.7*fun2 + 0.72*fun3 + 0.68*fun4
mechanic =~ 0.7*mec1 + 0.74*mec2 + 0.66*mec3
humanic =~ 0.78*hum1 + 0.72*hum2 + 0.7*hum3 + 0.65*hum4
satisfaction =~ 0.82*sat1 + 0.8*sat2 + 0.78*sat3
loyalty =~ 0.8*loy1 + 0.76*loy2 + 0.72*loy3
purchase =~ 0.75*pi1 + 0.72*pi2 + 0.7*pi3
functional ~~ 0.4*mechanic + 0.45*humanic
mechanic ~~ 0.35*humanic
satisfaction ~ 0.35*functional + 0.15*mechanic + 0.3*humanic
loyalty ~ 0.55*satisfaction + 0.1*humanic
purchase ~ 0.4*satisfaction + 0.25*loyalty"""

CEM_MODEL = """functional =~ fun1 + fun2 + fun3 + fun4
mechanic =~ mec1 + mec2 + mec3
humanic =~ hum1 + hum2 + hum3 + hum4
satisfaction =~ sat1 + sat2 + sat3
loyalty =~ loy1 + loy2 + loy3
purchase =~ pi1 + pi2 + pi3
satisfaction ~ f*functional + m*mechanic + h*humanic
loyalty ~ s*satisfaction + humanic
purchase ~ p*satisfaction + l*loyalty
ind_fun_loy := f*s
ind_hum_loy := h*s
ind_sat_pi := s*l"""


def cem_data(n: int = 480, seed: int = 2024) -> pd.DataFrame:
    """n rows from the CEM population (standardised, as lavaan simulateData(standardized=TRUE)),
    shifted to a 1-7-like scale so the data are not centred."""
    from cem_edu.sem.power import population_moments

    ov, S = population_moments(CEM_POPULATION)
    rng = np.random.default_rng(seed)
    Y = rng.multivariate_normal(np.zeros(len(ov)), S, size=n) * 1.2 + 4.0
    return pd.DataFrame(Y, columns=ov)
