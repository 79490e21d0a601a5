"""The dbt resource (defs/dbt.py) drops two set-up costs of dagster-dbt's by overriding private
methods of the pinned version: these tests fail when an upgrade renames them or changes what they
must return, instead of letting each dbt step pay the cost again unnoticed."""

from __future__ import annotations

import inspect
from importlib import metadata

import pytest
from dagster_dbt import DbtCliResource
from packaging import version

from dagster_project.defs.dbt import DBT_EXECUTABLE, OgiDbtCliResource, dbt_project, dbt_resource


def test_the_overridden_methods_are_dagster_dbts_own():
    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource), f"dagster-dbt no longer has {name}: re-measure and drop the override"
    # cli() is where both are used: it asks for the version and, below 2.0, for the adapter
    source = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in source and "self._initialize_dbt_core_adapter(" in source


def test_the_resource_reports_the_installed_dbt_core_and_loads_no_adapter():
    resource = dbt_resource(dbt_project())
    assert isinstance(resource, OgiDbtCliResource)
    assert resource._cli_version == version.parse(metadata.version("dbt-core"))
    assert resource._cli_version.major == 1  # dbt Core, so cli() asks for the adapter …
    assert resource._initialize_dbt_core_adapter(["build"]) is None  # … and gets none


@pytest.mark.slow
def test_the_version_is_the_one_the_dbt_executable_prints():
    """What the override saves: dagster-dbt's own answer, from `dbt --version` in a subprocess."""
    slow = DbtCliResource(project_dir=str(dbt_project().project_dir), dbt_executable=DBT_EXECUTABLE)
    assert slow._cli_version == dbt_resource(dbt_project())._cli_version
