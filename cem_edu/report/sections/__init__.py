"""The report's sections, one module each, in the order they appear.

Each section is a function ``section(ctx) -> Section`` that reads the data and options from the
:class:`~cem_edu.report.context.Context`, stores its numbers in ``ctx.results`` and returns its
blocks (built with ``ctx.out``; format-neutral, drawn as HTML or Word). A section whose analysis cannot
run on the data raises a :class:`~cem_edu.errors.CemError`; the build step then shows the reason in its
place (except for the required sections).
"""
from . import (cfa, common_method, constructs, content_validity, cx, data, groups, items, methods, moderation,
               normality, pls, profile, reliability, sem, summary)

STEPS = [data.section, profile.section, content_validity.section, items.section, normality.section,
         reliability.section, common_method.section, constructs.section, cfa.section, sem.section, pls.section,
         moderation.section, groups.section, cx.section, summary.section, methods.section]
REQUIRED = {data.section, summary.section, methods.section}
# the structural-model sections each method runs ("both": CB-SEM and PLS, with the paths side by side)
METHODS = {"cbsem": {sem.section}, "pls": {pls.section}, "both": {sem.section, pls.section}}
NOT_FOR = {method: {sem.section, pls.section} - run for method, run in METHODS.items()}
# sections that run only when their option is given (the Context attribute they read); without it they are
# not part of the report at all (no "not shown" line either)
ON_REQUEST = {moderation.section: "moderation"}

__all__ = ["STEPS", "REQUIRED", "METHODS", "NOT_FOR", "ON_REQUEST"]
