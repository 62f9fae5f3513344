"""Package list for setuptools (all metadata is in pyproject.toml).

The top-level ``questionnaire/`` and ``datasets/`` folders are shipped inside the
wheel as ``cem_edu._data.questionnaire`` and ``cem_edu._data.datasets``;
``cem_edu/_paths.py`` finds them in a checkout and in an installed wheel alike.
"""
from setuptools import find_packages, setup

DATA = {"cem_edu._data.questionnaire": "questionnaire", "cem_edu._data.datasets": "datasets"}

setup(packages=find_packages(include=["cem_edu", "cem_edu.*"]) + list(DATA), package_dir=DATA)
