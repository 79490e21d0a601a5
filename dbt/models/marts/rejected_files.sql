-- Every file of the raw folder that did not become a usable report, with the stage that stopped it
-- and why: nothing under the raw folder disappears silently. A file is here, or it is a report in
-- dim_report with parse_status ok/partial.
with files as (
    select * from {{ ref('stg_raw__report_files') }}
),

reports as (
    select * from {{ ref('int_reports') }}
),

first_error as (
    select
        report_id,
        code,
        text
    from {{ ref('stg_parsed__messages') }}
    where level = 'error'
    qualify row_number() over (partition by report_id order by ordinal) = 1
)

select
    f.source_file,
    f.byte_size,
    'ingest' as stage,
    f.read_error_code as reason_code,
    f.read_error as reason,
    cast(null as varchar) as report_id
from files as f
where f.read_error is not null

union all

select
    f.source_file,
    f.byte_size,
    'decode' as stage,
    'decode_failed' as reason_code,
    r.decode_error as reason,
    r.report_id
from files as f
inner join reports as r using (report_id)
where r.decode_status = 'failed'

union all

select
    f.source_file,
    f.byte_size,
    'parse' as stage,
    coalesce(e.code, 'failed') as reason_code,
    coalesce(e.text, 'the parser read nothing usable') as reason,
    r.report_id
from files as f
inner join reports as r using (report_id)
left join first_error as e using (report_id)
where r.decode_status = 'ok' and r.parse_status = 'failed'
