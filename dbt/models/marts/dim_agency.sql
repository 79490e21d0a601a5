-- One row per agency across all its reports. The name shown is the one its latest report uses (of
-- two reports in that year with different spellings, the one that sorts last, so that every build
-- shows the same name); every spelling seen stays in names_seen.
select
    agency_id,
    arg_max(agency_name, (coalesce(report_year, 0), agency_name)) as agency_name,
    arg_max(agency_type, (coalesce(report_year, 0), agency_name)) as agency_type,
    any_value(province) as province,
    any_value(city) as city,
    any_value(district) as district,
    any_value(adcode) as adcode,
    any_value(agency_key) as agency_key,
    list(distinct agency_name order by agency_name) as names_seen,
    min(report_year) as first_report_year,
    max(report_year) as last_report_year,
    count(*) as report_count
from {{ ref('int_reports') }}
where agency_id is not null
group by agency_id
