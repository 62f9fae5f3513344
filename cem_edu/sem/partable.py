"""The parameter table: every model parameter as one row, as lavaan's ``parTable()``.

Columns (lavaan's names): ``id lhs op rhs user block group free ustart exo label plabel
start est se``. ``free`` is the 1-based index of the parameter in the vector of free,
*unique* parameters (parameters that share a label, or are made equal by
``group_equal``, share one index; lavaan 0.6 instead keeps separate indices and adds
``==`` rows — the estimates are the same). ``free == 0`` means fixed at ``ustart``.

Defaults follow lavaan's ``sem()``/``cfa()`` (``lav_partable_flat``): the first loading
of each factor fixed to 1 (or, with ``std_lv``, factor variances fixed to 1 and all
loadings free); residual variances of observed and latent variables free;
covariances among exogenous latent variables free (auto.cov.lv.x); covariances among
the "pure" dependent variables (latent and observed outcomes that predict nothing)
free (auto.cov.y); observed exogenous covariates treated as fixed (fixed.x: their
variances, covariances and means fixed at the sample values).

Reference: Rosseel (2012), J. Stat. Softw. 48(2); lavaan ``lav_partable_vnames.R``.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from ..errors import ModelError
from ..i18n import t
from .syntax import Statement, _err

__all__ = ["VarNames", "variable_names", "build_partable", "rows_to_frame", "GROUP_EQUAL_TYPES"]

GROUP_EQUAL_TYPES = ("loadings", "intercepts", "means", "residuals", "residual.covariances",
                     "lv.variances", "lv.covariances", "regressions")


def _unique(seq):
    out = []
    for s in seq:
        if s not in out:
            out.append(s)
    return out


@dataclass(frozen=True)
class VarNames:
    """Variable roles, in lavaan's order (``lavNames``)."""

    lv: tuple       # latent variables (lhs of =~), order of appearance
    ov: tuple       # observed: indicators, dependent, exogenous x, others
    ov_ind: tuple   # indicators of latent variables
    ov_y: tuple     # pure dependent observed variables
    ov_x: tuple     # exogenous observed covariates (fixed.x)
    ov_nox: tuple
    lv_x: tuple     # exogenous latent variables
    lv_y: tuple     # pure dependent latent variables
    eqs_y: tuple
    eqs_x: tuple
    ov_x_free: tuple = ()   # exogenous observed covariates with free moments (fixed.x = FALSE)


def variable_names(statements: list[Statement], fixed_x: bool = True) -> VarNames:
    """Classify the variables of a parsed model as lavaan's ``lavNames`` does."""
    lv = _unique(s.lhs for s in statements if s.op == "=~")
    v_ind = _unique(s.rhs for s in statements if s.op == "=~")
    eqs_y = _unique(s.lhs for s in statements if s.op == "~")
    eqs_x = _unique(s.rhs for s in statements if s.op == "~")
    ov_ind = [v for v in v_ind if v not in lv]
    ov_y = [v for v in eqs_y if v not in lv and v not in ov_ind]
    ov_x = [v for v in eqs_x if v not in lv and v not in ov_ind and v not in ov_y]
    extra = _unique([s.lhs for s in statements if s.op in ("~~", "~1") and s.lhs not in lv]
                    + [s.rhs for s in statements if s.op == "~~" and s.rhs not in lv])
    base = ov_ind + ov_y + ov_x
    ov = base + [v for v in extra if v not in base]
    # an x with a user variance/covariance/intercept is no longer fixed (lavaan warns and does the same)
    user_vars = {s.lhs for s in statements if s.op in ("~~", "~1")} | {s.rhs for s in statements if s.op == "~~"}
    ov_x_free = []
    if fixed_x:
        ov_x = [v for v in ov_x if v not in user_vars]
    else:
        # fixed.x = FALSE: the covariates' variances, covariances (and means) are free parameters
        ov_x_free, ov_x = ov_x, []
    # lavaan puts x covariates last among ov
    ov = [v for v in ov if v not in ov_x] + ov_x
    ov_nox = [v for v in ov if v not in ov_x]
    lv_x = [f for f in lv if f not in v_ind and f not in eqs_y]
    pure_y = [v for v in eqs_y if v not in v_ind and v not in eqs_x]
    lv_y = [f for f in lv if f in pure_y]
    ov_y_pure = [v for v in ov if v in pure_y and v not in lv]
    return VarNames(tuple(lv), tuple(ov), tuple(ov_ind), tuple(ov_y_pure), tuple(ov_x), tuple(ov_nox),
                    tuple(lv_x), tuple(lv_y), tuple(eqs_y), tuple(eqs_x), tuple(ov_x_free))


def _per_group(values, g, ngroups, stmt):
    """Value of a modifier list for group g (0-based); one value applies to all groups."""
    if values is None:
        return None, False
    if len(values) == 1:
        return values[0], True
    if len(values) != ngroups:
        raise _err("sem.partable.c_length", stmt.line, stmt.text, n=len(values), groups=ngroups)
    return values[g], True


def build_partable(statements: list[Statement], defined: list[Statement] | None = None, *, ngroups: int = 1,
                   std_lv: bool = False, meanstructure: bool = False, group_equal=None, group_partial=None,
                   fixed_x: bool = True, as_rows: bool = False) -> tuple[pd.DataFrame, VarNames]:
    """Build the lavaan-style parameter table of a parsed model.

    Parameters
    ----------
    statements, defined : output of :func:`parse_syntax`.
    ngroups : number of groups (blocks).
    std_lv : identify factors by fixing their variances to 1 (lavaan ``std.lv=TRUE``).
    meanstructure : add intercepts and latent means (``~1``).
    group_equal : lavaan ``group.equal`` types, e.g. ``["loadings", "intercepts"]``.
    group_partial : parameters freed from ``group_equal``, e.g. ``["visual=~x2", "x3~1"]``.
    fixed_x : treat observed exogenous covariates as fixed (lavaan default).
    as_rows : return the rows as a list of dicts instead of a DataFrame (faster; ``Model`` accepts both).

    Returns ``(partable, names)``. Fixed exogenous moments have ``exo == 1`` and
    ``ustart`` NaN until the sample values are filled in (see ``fill_exo``).

    Steps: check the options, classify the variables, per group the user's rows (with the
    marker-loading identification) then lavaan's default rows, then ``group.equal`` labels,
    the free-parameter indices, and the ``:=``/constraint rows.
    """
    group_equal = _check_options(statements, group_equal)
    defined = defined or []
    partial = {str(p).replace(" ", "") for p in (group_partial or [])}
    names = variable_names(statements, fixed_x=fixed_x)
    if any(s.op == "~1" for s in statements):
        meanstructure = True
    first_loading = _first_loadings(statements)
    rows = []
    for g in range(ngroups):
        seen = {}
        _add_user_rows(rows, seen, statements, g, ngroups, std_lv, first_loading)
        _add_default_rows(rows, seen, _default_specs(names, g, std_lv, meanstructure, group_equal), g)
    for i, r in enumerate(rows):
        if r["free_flag"]:
            r["ustart"] = np.nan
        r["plabel"] = f".p{i + 1}."
    if ngroups > 1 and group_equal:
        _equality_labels(rows, set(names.lv), group_equal, partial)
    _free_indices(rows)
    for r in rows:
        r["block"] = r["group"]
        r["start"] = r["start_user"]
        r["est"] = np.nan
        r["se"] = np.nan
    rows.extend(_defined_rows(defined))
    for i, r in enumerate(rows):
        r["id"] = i + 1
        r.pop("free_flag", None)
        r.pop("start_user", None)
    if as_rows:
        return rows, names
    return rows_to_frame(rows), names


def _check_options(statements: list[Statement], group_equal) -> list:
    """Refuse what a covariance-based model cannot hold (formative ``<~``) and unknown ``group_equal`` types."""
    formative = sorted({st.lhs for st in statements if st.op == "<~"})
    if formative:
        raise ModelError(t("pls.formative_in_cbsem", constructs=", ".join(formative)))
    group_equal = list(group_equal or [])
    for ge in group_equal:
        if ge not in GROUP_EQUAL_TYPES:
            raise ModelError(t("sem.partable.bad_group_equal", value=ge, choices=", ".join(GROUP_EQUAL_TYPES)))
    return group_equal


def _first_loadings(statements: list[Statement]) -> dict:
    """The first indicator written for each factor: its loading is the marker fixed to 1 (without std_lv)."""
    first_loading = {}
    for s in statements:
        if s.op == "=~" and s.lhs not in first_loading:
            first_loading[s.lhs] = s.rhs
    return first_loading


def _key(lhs, op, rhs):
    """The identity of a parameter (``a ~~ b`` is ``b ~~ a``), to merge repeated formulas and defaults."""
    if op == "~~":
        return (op, *sorted((lhs, rhs)))
    return (lhs, op, rhs)


def _add_user_rows(rows: list, seen: dict, statements: list[Statement], g: int, ngroups: int, std_lv: bool,
                   first_loading: dict) -> None:
    """Append group g's rows of the formulas the user wrote, with their modifiers (fixed value, label,
    start); a repeated formula is merged into the first, its modifiers winning (as lavaan)."""
    for s in statements:
        k = _key(s.lhs, s.op, s.rhs)
        fixed, has_fixed = _per_group(s.mod.fixed, g, ngroups, s)
        label, _ = _per_group(s.mod.label, g, ngroups, s)
        start, _ = _per_group(s.mod.start, g, ngroups, s)
        row = dict(lhs=s.lhs, op=s.op, rhs=s.rhs, user=1, group=g + 1, label=label or "",
                   ustart=np.nan, free_flag=True, exo=0, start_user=start if start is not None else np.nan)
        if has_fixed and fixed is not None:
            row["ustart"], row["free_flag"] = float(fixed), False
        elif not has_fixed:
            if s.op == "=~" and not std_lv and first_loading.get(s.lhs) == s.rhs:
                row["ustart"], row["free_flag"] = 1.0, False
        if k in seen:
            old = rows[seen[k]]
            if s.mod.label is not None:
                old["label"] = row["label"]
            if has_fixed:
                old["ustart"], old["free_flag"] = row["ustart"], row["free_flag"]
            if s.mod.start is not None:
                old["start_user"] = row["start_user"]
            continue
        seen[k] = len(rows)
        rows.append(row)


def _default_specs(names: VarNames, g: int, std_lv: bool, meanstructure: bool, group_equal: list) -> list:
    """lavaan's default parameters of group g (``lav_partable_flat``), as ``(lhs, op, rhs, fields)``:
    residual and factor variances, auto.cov.lv.x, auto.cov.y, the covariates' moments (fixed.x) and
    with a mean structure the intercepts and latent means."""
    defaults = []
    for v in names.ov_nox:
        defaults.append((v, "~~", v, dict(free_flag=True)))
    for f in names.lv:
        # std.lv with equal loadings: factor variances are free in groups 2, 3, ... (as lavaan)
        free_var = not std_lv or (g > 0 and "loadings" in group_equal and "lv.variances" not in group_equal)
        defaults.append((f, "~~", f, dict(free_flag=free_var, ustart=np.nan if free_var else 1.0)))
    for a, b in combinations(names.lv_x, 2):
        defaults.append((a, "~~", b, dict(free_flag=True)))
    for a, b in combinations(list(names.lv_y) + list(names.ov_y), 2):
        defaults.append((a, "~~", b, dict(free_flag=True)))
    for a, b in combinations(names.ov_x_free, 2):
        defaults.append((a, "~~", b, dict(free_flag=True)))
    nx = len(names.ov_x)
    for i in range(nx):
        for j in range(i, nx):
            # lavaan fills lower.tri column-wise: (x_i, x_j) for j >= i
            defaults.append((names.ov_x[i], "~~", names.ov_x[j], dict(free_flag=False, exo=1)))
    if meanstructure:
        defaults.extend(_mean_specs(names, g, group_equal))
    return defaults


def _mean_specs(names: VarNames, g: int, group_equal: list) -> list:
    """Intercepts (free; fixed for the covariates) and latent means (0; free in groups 2, 3, ... when
    the intercepts are equal and the means are not)."""
    defaults = []
    for v in names.ov:
        if v in names.ov_x:
            defaults.append((v, "~1", "", dict(free_flag=False, exo=1)))
        else:
            defaults.append((v, "~1", "", dict(free_flag=True)))
    for f in names.lv:
        free_mean = g > 0 and "intercepts" in group_equal and "means" not in group_equal
        defaults.append((f, "~1", "", dict(free_flag=free_mean, ustart=np.nan if free_mean else 0.0)))
    return defaults


def _add_default_rows(rows: list, seen: dict, defaults: list, g: int) -> None:
    """Append the default parameters the user did not write (user rows win)."""
    for lhs, op, rhs, extra in defaults:
        k = _key(lhs, op, rhs)
        if k in seen:
            continue
        seen[k] = len(rows)
        row = dict(lhs=lhs, op=op, rhs=rhs, user=0, group=g + 1, label="", ustart=np.nan, exo=0,
                   start_user=np.nan)
        row.update(extra)
        rows.append(row)


def _equal_type(r: dict, lv: set) -> str:
    """The ``group.equal`` type of a row (``loadings``, ``intercepts``, ``lv.variances``, ...)."""
    op, lhs, rhs = r["op"], r["lhs"], r["rhs"]
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "means" if lhs in lv else "intercepts"
    if op == "~~":
        both_lv = lhs in lv and rhs in lv
        if lhs == rhs:
            return "lv.variances" if both_lv else "residuals"
        return "lv.covariances" if both_lv else "residual.covariances"
    return ""


def _equality_labels(rows: list, lv: set, group_equal: list, partial: set) -> None:
    """group.equal: tie group-g parameters to group 1 through a shared (internal) label, except the
    ones the user labelled, fixed, or freed with ``group_partial``."""
    first = {}
    for r in rows:
        if not r["free_flag"] or r["label"] or r["exo"]:
            continue
        if _equal_type(r, lv) not in group_equal:
            continue
        spec = f"{r['lhs']}{r['op']}{r['rhs']}"
        if spec in partial or (r["op"] == "~~" and f"{r['rhs']}~~{r['lhs']}" in partial):
            continue
        k = _key(r["lhs"], r["op"], r["rhs"])
        if r["group"] == 1:
            first[k] = r["plabel"]
            r["label"] = r["plabel"]
        elif k in first:
            r["label"] = first[k]


def _free_indices(rows: list) -> None:
    """Number the free parameters 1, 2, ...; rows with one label share an index, and a label shared
    with a fixed parameter fixes the row too."""
    by_label: dict[str, int] = {}
    fixed_label = {r["label"]: r["ustart"] for r in rows if r["label"] and not r["free_flag"]}
    counter = 0
    for r in rows:
        r["free"] = 0
        if not r["free_flag"]:
            continue
        lab = r["label"]
        if lab and lab in fixed_label:
            r["ustart"] = fixed_label[lab]
            r["free_flag"] = False
            continue
        if lab and lab in by_label:
            r["free"] = by_label[lab]
            continue
        counter += 1
        if lab:
            by_label[lab] = counter
        r["free"] = counter


def _defined_rows(defined: list[Statement]) -> list:
    """``:=`` definitions and ``==``/``<``/``>`` constraints, in the order written (group 0, as lavaan)."""
    rows = []
    for d in defined:
        op = d.op if d.op in ("==", "<", ">") else ":="
        rows.append(dict(lhs=d.lhs, op=op, rhs=d.rhs, user=1, group=0, block=0, free=0, ustart=np.nan, exo=0,
                         label=d.lhs if op == ":=" else "", plabel="", start=np.nan, est=np.nan, se=np.nan,
                         line=d.line, text=d.text))   # line/text: for messages (not partable columns)
    return rows


PT_COLUMNS = ["id", "lhs", "op", "rhs", "user", "block", "group", "free", "ustart", "exo", "label", "plabel",
              "start", "est", "se"]


def rows_to_frame(rows: list[dict]) -> pd.DataFrame:
    """The parameter-table DataFrame (lavaan's columns) of a list of row dicts."""
    data = {}
    for c in PT_COLUMNS:
        vals = [r[c] for r in rows]
        if c in ("id", "user", "block", "group", "free", "exo"):
            data[c] = np.array(vals, dtype=int)
        elif c in ("ustart", "start", "est", "se"):
            data[c] = np.array(vals, dtype=float)
        else:
            data[c] = np.array(vals, dtype=object)
    return pd.DataFrame(data)
