-- One row per check applied to one subject of one report, from the last pass of the checks over the
-- whole corpus (dagster_project/checks/). Replaced whole on every run, like checks.results.
-- depends_on: {{ ref('dim_check') }}  {{ ref('dim_report') }}  (their relationship tests run in this invocation)
select
    r.report_id,
    d.agency_id,
    d.report_year,
    r.check_id,
    r.subject,
    r.status,
    c.severity,
    c.suite,
    r.lhs,
    r.rhs,
    r.diff,
    r.tolerance,
    r.op,
    r.total_omitted,
    r.required_missing,
    r.compared_report_id,
    r.detail,
    d.template_version
from {{ ref('stg_checks__results') }} as r
inner join {{ ref('dim_report') }} as d using (report_id)
inner join {{ ref('dim_check') }} as c using (check_id)
