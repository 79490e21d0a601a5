select
    report_id,
    check_id,
    subject,
    status,
    lhs,
    rhs,
    diff,
    tolerance,
    op,
    total_omitted,
    required_missing,
    compared_report_id,
    detail
from {{ source('checks', 'results') }}
