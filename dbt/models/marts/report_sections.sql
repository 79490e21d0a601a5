-- One row per section of one report, in document order.
select
    report_id,
    ordinal,
    section_code,
    title,
    body,
    line_start as source_line,
    line_end
from {{ ref('stg_parsed__sections') }}
