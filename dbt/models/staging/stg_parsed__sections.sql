select
    report_id,
    ordinal,
    section_code,
    title,
    body,
    line_start,
    line_end
from {{ source('parsed', 'sections') }}
