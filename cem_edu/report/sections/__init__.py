"""The report's sections, one module each, in the order they appear.

Each section is a function ``section(ctx) -> Section`` that reads the data and options from the
:class:`~cem_edu.report.context.Context`, stores its numbers in ``ctx.results`` and returns its HTML
blocks. A section whose analysis cannot run on the data raises a :class:`~cem_edu.errors.CemError`;
the build step then shows the reason in its place (except for the required sections).
"""
from . import cfa, cx, data, groups, items, methods, profile, reliability, sem, summary

STEPS = [data.section, profile.section, items.section, reliability.section, cfa.section, sem.section,
         groups.section, cx.section, summary.section, methods.section]
REQUIRED = {data.section, summary.section, methods.section}

__all__ = ["STEPS", "REQUIRED"]
