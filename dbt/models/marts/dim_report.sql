-- One row per raw report (distinct bytes): the relation every fact joins to.
-- depends_on: {{ ref('stg_parsed__template_versions') }}  (so the template_version relationship test runs in the same dbt invocation)
select
    report_id,
    source_file,
    source_files,
    agency_id,
    agency_name as agency_name_as_written,
    agency_source,
    report_year,
    year_source,
    template_version,
    published_on,
    parse_status,
    parse_messages,
    message_count,
    ingested_at,
    parsed_at,
    byte_size,
    encoding,
    decode_status,
    v.is_current,
    v.superseded_by,
    v.revisions
from {{ ref('int_reports') }}
join {{ ref('int_report_revisions') }} as v using (report_id)
