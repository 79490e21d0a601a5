-- One row per raw report (distinct bytes): the relation every fact joins to.
select
    report_id,
    source_file,
    source_files,
    agency_id,
    agency_name as agency_name_as_written,
    report_year,
    template_version,
    published_on,
    parse_status,
    parse_messages,
    message_count,
    ingested_at,
    parsed_at,
    byte_size,
    encoding,
    decode_status
from {{ ref('int_reports') }}
