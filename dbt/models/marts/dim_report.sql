-- One row per raw report (distinct bytes): the relation every fact joins to.
-- depends_on: {{ ref('stg_parsed__template_versions') }}
-- (so the template_version relationship test runs in the same dbt invocation)
select
    r.report_id,
    r.source_file,
    r.source_files,
    r.agency_id,
    r.agency_name as agency_name_as_written,
    r.agency_source,
    r.report_year,
    r.year_source,
    r.template_version,
    r.published_on,
    r.parse_status,
    r.parse_messages,
    r.message_count,
    r.ingested_at,
    r.parsed_at,
    r.byte_size,
    r.encoding,
    r.decode_status,
    v.is_current,
    v.superseded_by,
    v.revisions
from {{ ref('int_reports') }} as r
inner join {{ ref('int_report_revisions') }} as v using (report_id)
