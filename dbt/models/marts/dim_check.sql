-- One row per check, straight from the checks' catalogue (dagster_project/checks/catalogue.py).
select
    check_id,
    description,
    severity,
    template_versions,
    suite,
    kind,
    formula,
    basis,
    op,
    tolerance,
    subject_kind,
    rule_count,
    required_metrics
from {{ ref('stg_checks__catalogue') }}
