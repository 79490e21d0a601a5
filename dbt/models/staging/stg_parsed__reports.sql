-- One row per parsed report: what the report says about itself.
-- depends_on: {{ ref('stg_parsed__template_versions') }}
-- (so the template_version relationship test runs in the same dbt invocation)
select
    report_id,
    nullif(trim(agency_name), '') as agency_name,
    agency_key,
    agency_id,
    agency_type,
    report_year,
    published_on,
    template_version,
    province,
    city,
    district,
    adcode,
    parse_status,
    agency_source,
    year_source,
    parser_version,
    parsed_at
from {{ source('parsed', 'reports') }}
