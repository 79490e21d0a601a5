-- One row per agency and report year: the figures an auditor looks at first.
{{ config(materialized='view') }}

-- Current reports only: a corrected report replaces the one it supersedes (dim_report.is_current).
with reports as (
    select
        report_id,
        agency_id,
        report_year,
        template_version,
        parse_status,
        revisions
    from {{ ref('dim_report') }}
    where agency_id is not null and is_current
),

t3 as (
    select
        report_id,
        max(value) filter (where metric_code = 't3.new_received.total') as applications_received,
        max(value) filter (where metric_code = 't3.granted.total') as granted,
        max(value) filter (where metric_code = 't3.total_processed.total') as processed,
        max(value) filter (where metric_code = 't3.carried_forward.total') as carried_forward
    from {{ ref('fct_report_metric') }}
    where
        metric_code in (
            't3.new_received.total', 't3.granted.total', 't3.total_processed.total', 't3.carried_forward.total'
        )
    group by report_id
),

checks as (
    select
        report_id,
        count(*) filter (where status = 'fail' and severity = 'hard') as hard_checks_failed,
        count(*) filter (where status = 'fail' and severity = 'soft') as soft_checks_failed,
        count(*) filter (where status = 'incomplete') as checks_incomplete
    from {{ ref('fct_check_result') }}
    group by report_id
)

select
    r.agency_id,
    a.agency_name,
    a.province,
    a.city,
    a.district,
    r.report_year,
    count(*) as reports,
    max(r.revisions) as revisions,
    any_value(r.template_version) as template_version,
    sum(t3.applications_received) as applications_received,
    sum(t3.granted) as granted,
    sum(t3.processed) as processed,
    round(sum(t3.granted) / nullif(sum(t3.processed), 0), 4) as share_granted,
    sum(t3.carried_forward) as carried_forward,
    coalesce(sum(c.hard_checks_failed), 0) as hard_checks_failed,
    coalesce(sum(c.soft_checks_failed), 0) as soft_checks_failed,
    coalesce(sum(c.checks_incomplete), 0) as checks_incomplete
from reports as r
inner join {{ ref('dim_agency') }} as a using (agency_id)
left join t3 using (report_id)
left join checks as c using (report_id)
group by all
