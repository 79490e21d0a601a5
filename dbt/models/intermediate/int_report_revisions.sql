-- Which report is current when an agency published more than one for the same year (a corrected
-- report is a second file with other bytes, so a second report_id). The rule, in order:
--   1. the later publication date (published_on; an unknown date counts as older than any known one);
--   2. the newer file (the latest modification time among the report's paths);
--   3. the larger report_id, only so that the choice is deterministic.
-- Reports without an agency or a year cannot be told apart as revisions: each is its own current one.
with reports as (
    select
        report_id,
        agency_id,
        report_year,
        published_on,
        latest_mtime_ns
    from {{ ref('int_reports') }}
),

ranked as (
    select
        report_id,
        agency_id,
        report_year,
        row_number() over revisions as revision_rank,
        first_value(report_id) over revisions as current_report_id,
        count(*) over (partition by agency_id, report_year) as revisions
    from reports
    where agency_id is not null and report_year is not null
    window revisions as (
        partition by agency_id, report_year
        order by published_on desc nulls last, latest_mtime_ns desc nulls last, report_id desc
    )
)

select
    r.report_id,
    coalesce(k.revision_rank = 1, true) as is_current,
    case when k.revision_rank > 1 then k.current_report_id end as superseded_by,
    coalesce(k.revisions, 1) as revisions
from reports as r
left join ranked as k using (report_id)
