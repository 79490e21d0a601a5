-- Everything known about a report in one row: raw facts, every name it goes by, what the parser
-- read, and its parser messages as one readable string. dim_report and dim_agency build on it.
with messages as (
    select
        report_id,
        count(*) as message_count,
        string_agg(
            '[' || level || '] ' || code || ': ' || text || coalesce(' (line ' || line || ')', ''),
            '; ' order by ordinal
        ) as parse_messages
    from {{ ref('stg_parsed__messages') }}
    group by report_id
)

select
    r.report_id,
    f.source_file,
    f.source_files,
    f.file_count,
    f.latest_mtime_ns,
    r.byte_size,
    r.encoding,
    r.decode_status,
    r.decode_error,
    r.ingested_at,
    p.agency_name,
    p.agency_key,
    p.agency_id,
    p.agency_type,
    p.agency_source,
    p.report_year,
    p.year_source,
    p.published_on,
    coalesce(p.template_version, 'unknown') as template_version,
    p.province,
    p.city,
    p.district,
    p.adcode,
    -- A report the parse step has not reached (it always does within a run) counts as failed, not ok.
    coalesce(p.parse_status, 'failed') as parse_status,
    coalesce(m.parse_messages, '') as parse_messages,
    coalesce(m.message_count, 0) as message_count,
    p.parser_version,
    p.parsed_at
from {{ ref('stg_raw__reports') }} as r
inner join {{ ref('int_report_files_grouped') }} as f using (report_id)
left join {{ ref('stg_parsed__reports') }} as p using (report_id)
left join messages as m using (report_id)
