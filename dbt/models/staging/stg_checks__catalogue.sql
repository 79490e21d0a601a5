select
    check_id,
    suite,
    severity,
    kind,
    description,
    formula,
    basis,
    template_versions,
    op,
    tolerance,
    subject_kind,
    rule_count,
    required_metrics
from {{ source('checks', 'catalogue') }}
