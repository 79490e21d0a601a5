"""dbt models as Dagster assets, downstream of the Python assets through the sources' meta.

The manifest must exist before `@dbt_assets` runs, and `prepare_if_dev()` only acts under
`dagster dev`; so `dbt_project()` parses the project itself whenever the manifest is missing or
older than any file of the dbt project. That keeps `ogi build`, pytest and `dagster dev` on one path.
"""


import graphlib
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets
from dagster_dbt.asset_utils import get_updated_cli_invocation_params_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from dagster_project import dbt_runner, dbt_state
from dagster_project.defs.resources import WarehouseDuckDB
from dagster_project.progress import PROGRESS_PREFIX
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


class InProcessDbt(dg.ConfigurableResource):
    """Runs `dbt build` for the selected dbt assets inside the run's process (dbt_runner.py says why)
    and turns dbt's result events into Dagster events with dagster-dbt's own translation, so the
    asset graph, check names and metadata are what DbtCliResource would give."""

    project_dir: str
    profiles_dir: str

    def build(self, context: dg.AssetExecutionContext):
        project_dir, profiles_dir = Path(self.project_dir), Path(self.profiles_dir)
        params = get_updated_cli_invocation_params_for_context(
            context=context, manifest={}, dagster_dbt_translator=DagsterDbtTranslator())
        # A unique artifact folder per invocation, named like dagster-dbt's (dbt_state prunes them).
        target = project_dir / "target" / f"{context.op_execution_context.op.name}-{context.run_id[:7]}-{uuid.uuid4().hex[:6]}"
        manifest = dbt_runner.warm_manifest(project_dir, profiles_dir, project_dir / "target")
        context.log.info(f"dbt build (in process) {' '.join(params.selection_args)[:200]}")
        run = dbt_runner.invoke(["build", "--indirect-selection", "buildable", *params.selection_args],
                                project_dir, profiles_dir, manifest, target)
        for raw in run.result_events:
            yield from DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={}).to_default_asset_events(
                manifest=params.manifest, dagster_dbt_translator=params.dagster_dbt_translator,
                context=context, target_path=target, project=params.dbt_project)
        if not run.success:
            raise dg.Failure(
                description=f"dbt build failed{': ' + run.error if run.error else ''}; its log: {target / 'dbt.log'}",
                metadata={"dbt_log": dg.MetadataValue.path(str(target / "dbt.log"))})


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    translator = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=translator, name="ogi_dbt_models")
    def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: InProcessDbt, duckdb: WarehouseDuckDB):
        # The skip decision reads the live file (or the run's working copy once a step made one); a
        # build makes the working copy first, since dbt writes it (OGI_BUILD_DATABASE).
        selection = ",".join(sorted(k.to_user_string() for k in context.selected_asset_keys))
        with duckdb.read_connection() as con:  # closed before dbt opens the file
            fingerprint = dbt_state.input_fingerprint(con, DBT_PROJECT_DIR, _source_tables(context))
            skip = dbt_state.unchanged(con, selection, fingerprint)
        if skip:
            # Same sources, project and dbt as the last successful build of this selection, whose
            # relations still exist: dbt would write the same rows and its tests give the same verdicts.
            context.log.info(f"{PROGRESS_PREFIX}dbt: sources and project unchanged since the last build: "
                             f"{len(context.selected_asset_keys)} models kept, nothing written")
            yield from _reused_results(context)
            return
        # `build` runs models and their tests in DAG order; tests surface as asset checks. Dagster runs
        # this op in several subsets (dbt models sit both upstream and downstream of Python assets), so
        # a test runs with the subset holding all its models (or their ancestors): buildable indirect
        # selection. Relationship tests across subsets need the parent declared (see fct_report_metric).
        with duckdb.get_connection() as con:  # makes the working copy unless an earlier step did
            dbt_state.forget(con, selection)  # the models are about to change: no record vouches for them
        all_passed = True
        for event in dbt.build(context):
            all_passed = all_passed and not (isinstance(event, dg.AssetCheckResult) and not event.passed)
            yield event
        if all_passed:  # reached only when dbt succeeded; a test that only warned is re-run next time
            with duckdb.get_connection() as con:
                dbt_state.record(con, selection, fingerprint)
        dbt_state.prune_run_targets(DBT_PROJECT_DIR / "target", context.op_execution_context.op.name)

    return ogi_dbt_models


def _source_tables(context: dg.AssetExecutionContext) -> list[str]:
    """The tables outside dbt (raw.*, parsed.*, checks.*) the selected models read, directly or
    through other dbt models: the inputs whose change makes this selection's build run."""
    deps, own = context.assets_def.asset_deps, set(context.assets_def.keys)
    seen, todo, sources = set(), list(context.selected_asset_keys), set()
    while todo:
        key = todo.pop()
        for dep in deps.get(key, ()):
            if dep in own and dep not in seen:
                seen.add(dep)
                todo.append(dep)
            elif dep not in own:
                sources.add(".".join(dep.path))
    return sorted(sources)


def _reused_results(context: dg.AssetExecutionContext):
    """What a skipped build reports: every selected model kept (in dependency order, as Dagster
    requires of a multi-asset), each followed by its selected tests as they last passed."""
    selected = set(context.selected_asset_keys)
    deps = context.assets_def.asset_deps
    order = graphlib.TopologicalSorter({k: {d for d in deps.get(k, ()) if d in selected} for k in selected})
    checks: dict[dg.AssetKey, list[dg.AssetCheckKey]] = {}
    for check in context.selected_asset_check_keys:
        checks.setdefault(check.asset_key, []).append(check)
    for key in order.static_order():
        yield dg.MaterializeResult(asset_key=key, metadata={"dbt": "skipped: inputs unchanged since the last build"})
        for check in sorted(checks.get(key, ()), key=lambda c: c.name):
            yield dg.AssetCheckResult(asset_key=key, check_name=check.name, passed=True,
                                      metadata={"dbt": "not re-run: inputs unchanged since the last build, where it passed"})


def dbt_resource(project: DbtProject) -> InProcessDbt:
    return InProcessDbt(project_dir=str(project.project_dir), profiles_dir=str(DBT_PROJECT_DIR))
