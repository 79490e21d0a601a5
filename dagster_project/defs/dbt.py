"""dbt models as Dagster assets, downstream of the Python assets through the sources' meta.

The manifest must exist before `@dbt_assets` runs, and `prepare_if_dev()` only acts under
`dagster dev`; so `dbt_project()` parses the project itself whenever the manifest is missing or
older than any file of the dbt project. That keeps `ogi build`, pytest and `dagster dev` on one path.
"""


import subprocess
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from dagster_duckdb import DuckDBResource

from dagster_project.settings import DBT_PROJECT_DIR

# dagster-dbt does not install dbt any more and DbtCliResource fails when `dbt` is not on PATH; the
# virtualenv's own dbt sits next to its python.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def _newest_source_mtime(project_dir: Path) -> float:
    files = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for sub in ("models", "macros", "tests"):
        files += [p for p in (project_dir / sub).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in files if p.exists())


def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(DBT_PROJECT_DIR):
        # Not project.preparer.prepare(): it builds a DbtCliResource without our dbt_executable.
        result = subprocess.run(
            [DBT_EXECUTABLE, "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
            capture_output=True, text=True, cwd=DBT_PROJECT_DIR,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed in {DBT_PROJECT_DIR}:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")
    return project


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    translator = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=translator, name="ogi_dbt_models")
    def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
        # `duckdb` is not used here, but requiring it makes the run set up the working copy that
        # dbt writes (OGI_BUILD_DATABASE) even when dbt models are materialized on their own.
        del duckdb
        # `build` runs models and their tests in DAG order; tests surface as asset checks. Dagster runs
        # this op in several subsets (dbt models sit both upstream and downstream of Python assets), so
        # a test runs with the subset holding all its models (or their ancestors): buildable indirect
        # selection. Relationship tests across subsets need the parent declared (see fct_report_metric).
        yield from dbt.cli(["build", "--indirect-selection", "buildable"], context=context).stream()

    return ogi_dbt_models


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(project_dir=project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE)
