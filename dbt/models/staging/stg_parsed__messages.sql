select
    report_id,
    ordinal,
    level,
    code,
    text,
    line
from {{ source('parsed', 'messages') }}
