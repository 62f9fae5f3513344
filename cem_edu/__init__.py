"""cem-edu: Customer Experience Management research and teaching kit.

    import cem_edu as ce
    inst = ce.load_instrument()
    raw = ce.load_dataset("cem_survey")
    data = ce.clean(raw, inst)
    ce.reliability(data, inst)
    res = ce.fit(inst.model(), data)
    ce.growth(growth_model, panel)    # latent growth curves, lavaan growth() defaults

The public names below are imported lazily, so ``import cem_edu`` stays fast
and a notebook only pays for what it uses.
"""
from __future__ import annotations

import importlib

from .errors import CemError, DataError, EstimationWarning, InstrumentError, ModelError
from .i18n import get_language, t

__version__ = "0.1.0"

# public name -> submodule that defines it
_LAZY = {
    # the notebook's language: default language, Persian font for figures, right-to-left tables in Jupyter
    "set_language": "notebook",
    # questionnaire
    "Instrument": "instrument", "load_instrument": "instrument",
    "instrument_from_model": "psychometrics.constructs",
    # data
    "load_dataset": "datasets", "list_datasets": "datasets", "dataset_path": "datasets", "simulate": "datasets",
    "read_data": "intake", "clean": "intake", "CleanData": "intake", "normalize_text": "intake",
    "parse_number": "intake", "pseudonymize": "intake",
    "load_responses": "collect.store",
    # psychometrics
    "describe_items": "psychometrics.describe",
    "reliability": "psychometrics.reliability", "alpha": "psychometrics.reliability",
    "omega": "psychometrics.reliability", "composite_reliability": "psychometrics.reliability",
    "ave": "psychometrics.reliability", "htmt": "psychometrics.reliability",
    "fornell_larcker": "psychometrics.reliability", "cross_loadings": "psychometrics.reliability",
    "efa": "psychometrics.factor", "kmo": "psychometrics.factor", "bartlett": "psychometrics.factor",
    "parallel_analysis": "psychometrics.factor",
    "cvr": "psychometrics.content_validity", "cvi": "psychometrics.content_validity",
    "impact_score": "psychometrics.content_validity", "normality": "psychometrics.normality",
    "common_method": "psychometrics.common_method",
    "one_sample_t": "psychometrics.construct_tests", "friedman": "psychometrics.construct_tests",
    "correlation_table": "psychometrics.construct_tests",
    # structural equation models
    "fit": "sem", "FitResult": "sem", "invariance": "sem", "power": "sem", "growth": "sem.growth",
    "moderation": "psychometrics.moderation", "product_indicators": "psychometrics.moderation",
    "moderation_syntax": "psychometrics.moderation",
    # partial least squares path models
    "PLSResult": "pls.result", "pls_mga": "pls.mga",
    "collapse_categories": "sem.categorical",
    # customer-experience analytics
    "nps": "cx", "gap": "cx", "journey_map": "cx", "rating_matrix": "cx", "ipma": "cx",
    "key_drivers": "cx", "action_plan": "cx",
    # outputs
    "set_theme": "plots",
    # the base class of every result object (to_dict, to_json, str, notebook HTML) and its JSON helper
    "Result": "results", "json_safe": "results",
    "cvr_critical": "psychometrics.content_validity",
}

# ``report`` is both a subpackage and its main function: importing the function here, before anyone can
# import the subpackage, keeps ``ce.report`` the function in every import order (a lazy name would be
# replaced by the module as soon as ``import cem_edu.report`` ran).
from .report import report  # noqa: E402
from .pls import pls  # noqa: E402  (same reason: ``ce.pls`` is the function, ``cem_edu.pls`` its package)

__all__ = sorted([*_LAZY, "report", "pls", "CemError", "DataError", "ModelError", "InstrumentError", "EstimationWarning",
                  "set_language", "get_language", "t", "plots", "__version__"])


def __getattr__(name):
    if name == "plots":
        return importlib.import_module(".plots", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cem_edu' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
