"""Package list for setuptools (all metadata is in pyproject.toml).

The top-level ``questionnaire/`` and ``datasets/`` folders are shipped inside the
wheel as ``cem_edu._data.questionnaire`` and ``cem_edu._data.datasets``;
``cem_edu/_paths.py`` finds them in a checkout and in an installed wheel alike.
Data folders inside the package (fonts, locales, templates, static files) are
namespace packages, listed like the code, so setuptools installs them quietly.
"""
from setuptools import find_namespace_packages, setup

DATA = {"cem_edu._data.questionnaire": "questionnaire", "cem_edu._data.questionnaire.examples": "questionnaire/examples",
        "cem_edu._data.datasets": "datasets"}

packages = find_namespace_packages(include=["cem_edu", "cem_edu.*"], exclude=["*.__pycache__"])
setup(packages=packages + list(DATA), package_dir=DATA)
